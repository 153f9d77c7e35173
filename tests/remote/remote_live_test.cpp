// Remote validation against real servers on 127.0.0.1: nginx serving the
// corpus and an 8 GiB sparse model, and the hostile server of
// tests/remote/hostile_server.py. Hidden tag: these run only inside
// tests/remote/with_servers.sh, which starts the servers and sets
// STGUARD_TEST_* (ctest: remote_live).
#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "stguard/file_validate.hpp"
#include "stguard/remote.hpp"
#include "stguard/shard_writer.hpp"
#include "stguard/writer.hpp"
#include "support/run_tool.hpp"
#include "support/test_files.hpp"

using namespace stguard;
using namespace stguard::remote;
using Clock = std::chrono::steady_clock;

namespace {

std::string server(const char* variable) {
  const char* value = std::getenv(variable);
  INFO(variable << " is set by tests/remote/with_servers.sh");
  REQUIRE(value != nullptr);
  return value;
}

std::string percent_encoded(const std::string& name) {
  std::string out;
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || (byte >= '0' && byte <= '9') ||
        std::string_view("-._~").find(c) != std::string_view::npos) {
      out.push_back(c);
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The requests nginx logged for `uri`: how many, their body bytes, the largest body.
struct LoggedRequests {
  int requests = 0;
  std::uint64_t bytes = 0;
  std::uint64_t largest = 0;
};

LoggedRequests nginx_log_for(const std::string& uri) {
  std::istringstream log(read_text(server("STGUARD_TEST_NGINX_LOG")));
  std::string line;
  LoggedRequests logged;
  while (std::getline(log, line)) {
    std::istringstream fields(line);
    std::string logged_uri, status;
    std::uint64_t sent = 0;
    fields >> logged_uri >> status >> sent;
    if (logged_uri != uri) continue;
    ++logged.requests;
    logged.bytes += sent;
    logged.largest = std::max(logged.largest, sent);
  }
  return logged;
}

void check_same_verdict(const Result<Header>& local, const Result<Header>& remote_result) {
  REQUIRE(local.ok() == remote_result.ok());
  if (!local.ok()) {
    CHECK(error_code_name(remote_result.error().code) == error_code_name(local.error().code));
    CHECK(remote_result.error().offset == local.error().offset);
    CHECK(remote_result.error().tensor == local.error().tensor);
    CHECK(remote_result.error().message == local.error().message);
    return;
  }
  const Header& a = local.value();
  const Header& b = remote_result.value();
  CHECK(a.file_size() == b.file_size());
  CHECK(a.header_length() == b.header_length());
  REQUIRE(a.tensor_count() == b.tensor_count());
  for (std::size_t i = 0; i < a.tensor_count(); ++i) {
    CHECK(a.tensors()[i].name == b.tensors()[i].name);
    CHECK(a.tensors()[i].begin == b.tensors()[i].begin);
  }
  CHECK(a.metadata().size() == b.metadata().size());
  CHECK(a.strict_violations().size() == b.strict_violations().size());
}

// The hostile server's route and the error it must give, within a time limit.
struct HostileCase {
  std::string path;
  ErrorCode code;
  double limit_ms;
};

}  // namespace

TEST_CASE("every corpus file gets the same verdict over HTTP as from disk, in at most 2 requests",
          "[.][remote-live]") {
  const std::string base = server("STGUARD_TEST_NGINX") + "/corpus/";
  const auto corpus = std::filesystem::path(STGUARD_SOURCE_DIR) / "corpus";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    for (const Options& options : {Options::strict(), Options::compat()}) {
      INFO(name << " (" << profile_name(options.profile) << ")");
      const auto local = validate_path(entry.path().string(), options);
      auto file = RemoteFile::open(base + percent_encoded(name), options);
      const Result<Header> over_http = file.ok() ? Result<Header>(file->header()) : Result<Header>(file.error());
      check_same_verdict(local, over_http);
      if (file.ok()) CHECK(file->stats().requests <= 2);
    }
    ++files;
  }
  CHECK(files >= 100);
}

TEST_CASE("an 8 GiB model is judged from under 1 MiB, in 2 requests at most, in milliseconds", "[.][remote-live]") {
  const std::string url = server("STGUARD_TEST_NGINX") + "/big.safetensors";
  const auto before = nginx_log_for("/big.safetensors");
  const auto start = Clock::now();
  auto file = RemoteFile::open(url);
  const double elapsed = milliseconds_since(start);
  REQUIRE(file.ok());
  CHECK(file->file_size() > (8ull << 30));
  CHECK(file->header().tensor_count() == 183);
  CHECK(file->stats().requests <= 2);
  CHECK(file->stats().body_bytes < (1u << 20));
  CHECK(elapsed < 1000.0);  // loopback: a few ms (docs/PERFORMANCE.md), generous for sanitizers
  // nginx's own count of what it sent.
  const auto after = nginx_log_for("/big.safetensors");
  CHECK(after.requests - before.requests <= 2);
  CHECK(after.bytes - before.bytes < (1u << 20));

  // A tensor's bytes on request, pinned to the validated version (the file is sparse: zeros).
  auto norm = file->read_tensor("model.norm.weight");
  REQUIRE(norm.ok());
  CHECK(norm->size() == 4096 * 2);
  auto rows = file->read_slice("lm_head.weight", SliceSpec{SliceIndex::range(10, 12)});
  REQUIRE(rows.ok());
  CHECK(rows->shape == std::vector<std::uint64_t>{2, 4096});
  CHECK(rows->bytes.size() == 2 * 4096 * 2);
  CHECK(file->read_tensor("absent").error().code == ErrorCode::tensor_not_found);
  CHECK(file->read(file->file_size() - 1, 2).error().code == ErrorCode::invalid_argument);
}

TEST_CASE("tensor bytes and slices fetched remotely equal the file's bytes", "[.][remote-live]") {
  const auto corpus = std::filesystem::path(STGUARD_SOURCE_DIR) / "corpus";
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("y_", 0) != 0) continue;
    auto file = RemoteFile::open(server("STGUARD_TEST_NGINX") + "/corpus/" + percent_encoded(name));
    REQUIRE(file.ok());
    const auto bytes = test::read_file(entry.path());
    for (const TensorInfo& tensor : file->header().tensors()) {
      INFO(name << " " << tensor.name);
      auto fetched = file->read_tensor(tensor.name);
      REQUIRE(fetched.ok());
      const auto begin = bytes.begin() + static_cast<std::ptrdiff_t>(file->header().data_offset() + tensor.begin);
      CHECK(std::equal(fetched->begin(), fetched->end(), begin, begin + static_cast<std::ptrdiff_t>(tensor.byte_size())));
      ++checked;
    }
  }
  CHECK(checked > 10);
}

TEST_CASE("redirects are followed within max_redirects; a 404 is NETWORK_HTTP_STATUS", "[.][remote-live]") {
  const std::string nginx = server("STGUARD_TEST_NGINX");
  std::string valid;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(STGUARD_SOURCE_DIR) / "corpus")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("y_", 0) == 0 && (valid.empty() || name < valid)) valid = name;
  }
  REQUIRE_FALSE(valid.empty());
  auto three = RemoteFile::open(nginx + "/r/3/corpus/" + percent_encoded(valid));
  REQUIRE(three.ok());
  CHECK(three->stats().redirects == 3);
  CHECK(three->stats().requests <= 4 + 1);

  auto eight = validate_url(nginx + "/r/8/corpus/" + percent_encoded(valid));
  REQUIRE_FALSE(eight.ok());
  CHECK(eight.error().code == ErrorCode::network_too_many_redirects);
  RemoteOptions more;
  more.max_redirects = 8;
  CHECK(validate_url(nginx + "/r/8/corpus/" + percent_encoded(valid), Options::strict(), more).ok());
  more.max_redirects = 0;
  CHECK(validate_url(nginx + "/r/1/corpus/" + percent_encoded(valid), Options::strict(), more).error().code ==
        ErrorCode::network_too_many_redirects);

  auto missing = validate_url(nginx + "/corpus/no-such-file.safetensors");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::network_http_status);
  CHECK(missing.error().message.find("404") != std::string::npos);
  CHECK(missing.error().error_class() == ErrorClass::network);
}

TEST_CASE("the hostile server: each misbehaviour gives its documented error within its time limit",
          "[.][remote-live]") {
  const std::string hostile = server("STGUARD_TEST_HOSTILE");
  const std::string other_port = server("STGUARD_TEST_HOSTILE_OTHER").substr(server("STGUARD_TEST_HOSTILE_OTHER").rfind(':') + 1);
  const std::string unique = std::to_string(Clock::now().time_since_epoch().count());
  RemoteOptions options;
  options.low_speed_bytes = 1024;
  options.low_speed_time = std::chrono::seconds(2);
  options.total_timeout = std::chrono::milliseconds(20'000);
  options.max_bytes = 4u << 20;
  options.headers = {"X-Api-Key: key-value-never-printed"};
  ::setenv("STGUARD_TEST_REMOTE_TOKEN", "token-value-never-printed", 1);
  options.token_env = "STGUARD_TEST_REMOTE_TOKEN";

  const HostileCase cases[] = {
      {"/wrong-range", ErrorCode::network_range_not_honoured, 2000},
      {"/malformed-range", ErrorCode::network_range_not_honoured, 2000},
      {"/lying-length", ErrorCode::network_protocol, 2000},
      {"/endless", ErrorCode::network_body_too_large, 3000},
      {"/ignore-range-endless", ErrorCode::network_body_too_large, 5000},
      {"/drip", ErrorCode::network_timeout, 6000},  // low-speed abort after 2 s
      {"/redirect-loop", ErrorCode::network_too_many_redirects, 2000},
      {"/redirect-ftp", ErrorCode::network_redirect_refused, 2000},
      {"/changed?id=" + unique, ErrorCode::network_object_changed, 2000},
      {"/changed-412?id=" + unique, ErrorCode::network_object_changed, 2000},
      {"/gzip", ErrorCode::network_encoding_refused, 2000},
      {"/500", ErrorCode::network_http_status, 2000},
      {"/nowhere", ErrorCode::network_http_status, 2000},
  };
  for (const HostileCase& test : cases) {
    INFO(test.path);
    const auto start = Clock::now();
    auto result = validate_url(hostile + test.path, Options::strict(), options);
    const double elapsed = milliseconds_since(start);
    REQUIRE_FALSE(result.ok());
    CHECK(error_code_name(result.error().code) == error_code_name(test.code));
    CHECK(elapsed < test.limit_ms);
    CHECK(result.error().message.find("never-printed") == std::string::npos);
  }

  // The total timeout holds even when the low-speed check is off.
  RemoteOptions patient = options;
  patient.low_speed_bytes = 0;
  patient.total_timeout = std::chrono::milliseconds(1500);
  auto start = Clock::now();
  CHECK(validate_url(hostile + "/drip", Options::strict(), patient).error().code == ErrorCode::network_timeout);
  CHECK(milliseconds_since(start) < 4000);

  // A closed port.
  CHECK(validate_url("http://127.0.0.1:9/x", Options::strict(), options).error().code == ErrorCode::network_connect);

  // The good file needs the second, pinned request (its header is over 64 KiB).
  auto good = RemoteFile::open(hostile + "/good", Options::strict(), options);
  REQUIRE(good.ok());
  CHECK(good->stats().requests == 2);
  CHECK(good->header().header_length() > 64 * 1024);

  // A server that ignores Range: the header is read, the rest of 256 MiB is not.
  start = Clock::now();
  auto whole = RemoteFile::open(hostile + "/ignore-range-large", Options::strict(), options);
  REQUIRE(whole.ok());
  CHECK(whole->file_size() > (256u << 20));
  CHECK(whole->stats().body_bytes < (1u << 20));
  CHECK(milliseconds_since(start) < 2000);
  CHECK(whole->read(0, 8).error().code == ErrorCode::network_range_not_honoured);
  auto small_whole = RemoteFile::open(hostile + "/ignore-range", Options::strict(), options);
  CHECK(small_whole.ok());
}

TEST_CASE("credentials reach the URL's origin only: a redirect to another port drops them", "[.][remote-live]") {
  const std::string hostile = server("STGUARD_TEST_HOSTILE");
  const std::string other = server("STGUARD_TEST_HOSTILE_OTHER");
  const std::string unique = std::to_string(Clock::now().time_since_epoch().count());
  RemoteOptions options;
  options.headers = {"Authorization: Bearer header-token", "X-Api-Key: api-key"};

  // Same origin: kept (both requests carry them).
  auto same = RemoteFile::open(hostile + "/redirect-same-origin?id=" + unique, Options::strict(), options);
  REQUIRE(same.ok());
  const std::string own_log = read_text(server("STGUARD_TEST_HOSTILE_AUTH_LOG"));
  CHECK(own_log.find("/redirect-same-origin?id=" + unique + " credentials") != std::string::npos);
  CHECK(own_log.find("/small credentials") != std::string::npos);

  // Another origin (another port): the file is judged, the credentials stay home.
  const std::string port = other.substr(other.rfind(':') + 1);
  ::setenv("STGUARD_TEST_REMOTE_TOKEN", "env-token", 1);
  options.token_env = "STGUARD_TEST_REMOTE_TOKEN";
  auto moved = RemoteFile::open(hostile + "/redirect-other-origin?to=" + port, Options::strict(), options);
  REQUIRE(moved.ok());
  CHECK(moved->stats().redirects == 1);
  const std::string other_log = read_text(server("STGUARD_TEST_HOSTILE_OTHER_AUTH_LOG"));
  CHECK(other_log.find("/small none") != std::string::npos);
  CHECK(other_log.find("credentials") == std::string::npos);
}

namespace {

// A 4-shard checkpoint of 8 tensors in a new folder under nginx's root; its index URL.
std::string serve_shard_set(const std::string& folder) {
  const auto directory = std::filesystem::path(server("STGUARD_TEST_NGINX_ROOT")) / folder;
  std::filesystem::create_directories(directory);
  std::vector<std::vector<std::uint8_t>> data;
  data.reserve(8);
  FileBuilder builder;
  for (int i = 0; i < 8; ++i) {
    data.emplace_back(100, static_cast<std::uint8_t>(i));
    REQUIRE(builder.add_tensor("t" + std::to_string(i), Dtype::U8, {100}, data.back()));
  }
  ShardWriteOptions options;
  options.max_shard_bytes = 200;
  options.durable = false;
  auto written = save_sharded(builder, directory.string(), options);
  REQUIRE(written.ok());
  REQUIRE(written->index.shards.size() == 4);
  return server("STGUARD_TEST_NGINX") + "/" + folder + "/" + written->index_file;
}

std::string local_path_of(const std::string& index_url) {
  return server("STGUARD_TEST_NGINX_ROOT") + index_url.substr(server("STGUARD_TEST_NGINX").size());
}

}  // namespace

TEST_CASE("a remote shard set gets the verdict the same files get on disk", "[.][remote-live]") {
  const std::string good = serve_shard_set("shards-good");
  auto remote_set = check_shard_index_url(good);
  REQUIRE(remote_set.ok());
  CHECK(remote_set->index.shards.size() == 4);
  CHECK(remote_set->shard_headers.size() == 4);
  CHECK(remote_set->total_size == 800);
  CHECK(check_shard_index_url(good, {}, {}, 1).ok());  // one connection: the same

  // Break it three ways; remote and local agree on the first error each time.
  const std::string broken = serve_shard_set("shards-broken");
  const std::string local = local_path_of(broken);
  const auto folder = std::filesystem::path(local).parent_path();
  std::vector<std::filesystem::path> shard_files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() == ".safetensors") shard_files.push_back(entry.path());
  }
  std::sort(shard_files.begin(), shard_files.end());
  REQUIRE(shard_files.size() == 4);
  {
    std::ofstream(shard_files[2], std::ios::binary | std::ios::trunc) << "not a model";
    const auto on_disk = check_shard_index(local);
    const auto over_http = check_shard_index_url(broken);
    REQUIRE_FALSE(on_disk.ok());
    REQUIRE_FALSE(over_http.ok());
    CHECK(over_http.error().code == on_disk.error().code);
    CHECK(over_http.error().message == on_disk.error().message);
  }
  {
    std::filesystem::remove(shard_files[1]);  // a 404: could not be read, not invalid
    const auto over_http = check_shard_index_url(broken);
    REQUIRE_FALSE(over_http.ok());
    CHECK(over_http.error().code == ErrorCode::network_http_status);
    CHECK(over_http.error().message.find(shard_files[1].filename().string()) != std::string::npos);
  }
  CHECK(check_shard_index_url(server("STGUARD_TEST_NGINX") + "/shards-none/model.safetensors.index.json")
            .error()
            .code == ErrorCode::network_http_status);
}

TEST_CASE("the tools take URLs: verdicts, exit statuses 0/1/2, redacted names", "[.][remote-live]") {
  const std::string nginx = server("STGUARD_TEST_NGINX");
  const std::string port = nginx.substr(nginx.rfind(':') + 1);
  std::string valid, invalid;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(STGUARD_SOURCE_DIR) / "corpus")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("y_", 0) == 0 && (valid.empty() || name < valid)) valid = name;
    if (name.rfind("n_", 0) == 0 && (invalid.empty() || name < invalid)) invalid = name;
  }
  const std::string valid_url = nginx + "/corpus/" + percent_encoded(valid);
  auto result = test::run_tool("st-validate", {valid_url});
  CHECK(result.exit_status == 0);
  CHECK(result.out.rfind(valid_url + ": OK (", 0) == 0);

  result = test::run_tool("st-validate", {valid_url, nginx + "/corpus/" + percent_encoded(invalid)});
  CHECK(result.exit_status == 1);
  CHECK(result.out.find(": INVALID [") != std::string::npos);

  const std::string secret_url = "http://user:hunter2@127.0.0.1:" + port + "/nope?access_token=tok-123";
  result = test::run_tool("st-validate", {valid_url, secret_url, "--header", "X-Api-Key: key-456"});
  CHECK(result.exit_status == 2);
  CHECK(result.out.find("http://***@127.0.0.1:" + port + "/nope?access_token=REDACTED: ERROR [NETWORK_HTTP_STATUS]") !=
        std::string::npos);
  for (const std::string secret : {"hunter2", "tok-123", "key-456"}) {
    CHECK(result.out.find(secret) == std::string::npos);
    CHECK(result.err.find(secret) == std::string::npos);
  }
  result = test::run_tool("st-validate", {"--format", "json", secret_url});
  CHECK(result.exit_status == 2);
  CHECK(result.out.find("\"status\": \"unreadable\"") != std::string::npos);
  CHECK(result.out.find("hunter2") == std::string::npos);

  result = test::run_tool("st-validate", {"http://127.0.0.1:9/x.safetensors"});  // refused connection
  CHECK(result.exit_status == 2);
  CHECK(result.out.find("[NETWORK_CONNECT]") != std::string::npos);
  result = test::run_tool("st-validate", {"ftp://127.0.0.1/x.safetensors"});
  CHECK(result.exit_status == 2);
  CHECK(result.out.find("[INVALID_ARGUMENT]") != std::string::npos);

  result = test::run_tool("st-inspect", {"--json", nginx + "/big.safetensors"});
  CHECK(result.exit_status == 0);
  CHECK(result.out.find("\"tensor_count\": 183") != std::string::npos);
  result = test::run_tool("st-inspect", {nginx + "/corpus/" + percent_encoded(invalid)});
  CHECK(result.exit_status == 1);

  const std::string index = serve_shard_set("shards-cli");
  result = test::run_tool("st-shard", {"check", "--connections", "3", index});
  CHECK(result.exit_status == 0);
  CHECK(result.out.find(": OK (4 shards, 8 tensors") != std::string::npos);
  result = test::run_tool("st-shard", {"check", nginx + "/shards-missing/model.safetensors.index.json"});
  CHECK(result.exit_status == 2);
}

namespace {

// st-audit's JSON report without its "path" lines and the findings'
// fingerprints (which hash the path as given, for baselines): what must not
// depend on where the bytes came from.
std::string without_paths(const std::string& json) {
  std::istringstream lines(json);
  std::string line, kept;
  while (std::getline(lines, line)) {
    if (line.find("\"path\": ") == std::string::npos && line.find("\"fingerprint\": ") == std::string::npos) {
      kept += line + "\n";
    }
  }
  return kept;
}

// A file whose data the value rules and digests have work on: NaN and Inf,
// an all-zero tensor, two identical tensors, 200 tiny tensors, and one of
// 3 MiB (several 1 MiB data reads).
std::filesystem::path write_data_model(const std::filesystem::path& path) {
  std::string header = "{";
  std::vector<std::uint8_t> data;
  const auto add = [&](const std::string& name, const std::string& dtype, std::vector<std::uint8_t> bytes,
                       std::uint64_t elements) {
    if (header.size() > 1) header += ",";
    header += "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + std::to_string(elements) +
              "],\"data_offsets\":[" + std::to_string(data.size()) + "," + std::to_string(data.size() + bytes.size()) +
              "]}";
    data.insert(data.end(), bytes.begin(), bytes.end());
  };
  std::vector<std::uint8_t> big(3u << 20U);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>((i * 7 + 3) & 0x3f);
  add("big", "U8", big, big.size());
  add("nan_inf", "F32", {0x00, 0x00, 0xc0, 0x7f, 0x00, 0x00, 0x80, 0x7f, 0x00, 0x00, 0x80, 0x3f, 0, 0, 0, 0}, 4);
  add("zeros", "F32", std::vector<std::uint8_t>(64, 0), 16);
  add("twin_a", "U8", {1, 2, 3, 4, 5, 6, 7, 8}, 8);
  add("twin_b", "U8", {1, 2, 3, 4, 5, 6, 7, 8}, 8);
  for (int i = 0; i < 200; ++i) {
    add("tiny." + std::to_string(i), "U8", {static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(i + 1)}, 2);
  }
  header += "}";
  const auto bytes = test::make_file(header, data);
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return path;
}

}  // namespace

TEST_CASE("st-audit gives every corpus file the same JSON report over HTTP as from disk", "[.][remote-live]") {
  const std::string base = server("STGUARD_TEST_NGINX") + "/corpus/";
  const auto corpus = std::filesystem::path(STGUARD_SOURCE_DIR) / "corpus";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".safetensors") continue;
    const std::string name = entry.path().filename().string();
    INFO(name);
    const auto local = test::run_tool("st-audit", {"--format", "json", "--no-progress", entry.path().string()});
    const auto remote_run = test::run_tool("st-audit", {"--format", "json", "--no-progress", base + percent_encoded(name)});
    CHECK(remote_run.exit_status == local.exit_status);
    CHECK(without_paths(remote_run.out) == without_paths(local.out));
    CHECK(remote_run.out.find("\"path\": \"" + base + percent_encoded(name) + "\"") != std::string::npos);
    ++files;
  }
  CHECK(files >= 100);
}

TEST_CASE("st-audit --values and --manifest over HTTP equal the local results; --verify works on a URL",
          "[.][remote-live]") {
  const std::string root = server("STGUARD_TEST_NGINX_ROOT");
  const auto local = write_data_model(std::filesystem::path(root) / "audit-data.safetensors");
  std::vector<std::pair<std::string, std::string>> files = {
      {local.string(), server("STGUARD_TEST_NGINX") + "/audit-data.safetensors"}};
  const auto corpus = std::filesystem::path(STGUARD_SOURCE_DIR) / "corpus";
  for (const char* name : {"y_two_tensors.safetensors", "y_single_f32.safetensors"}) {
    if (std::filesystem::exists(corpus / name)) {
      files.emplace_back((corpus / name).string(), server("STGUARD_TEST_NGINX") + "/corpus/" + name);
    }
  }
  const test::TempDir temp;
  for (const auto& [path, url] : files) {
    INFO(path);
    const auto local_values = test::run_tool("st-audit", {"--values", "--format", "json", path});
    const auto remote_values = test::run_tool("st-audit", {"--values", "--format", "json", url});
    CHECK(local_values.exit_status == 0);
    CHECK(remote_values.exit_status == local_values.exit_status);
    CHECK(without_paths(remote_values.out) == without_paths(local_values.out));
    CHECK(remote_values.err.empty());  // no progress bar: standard error is not a terminal

    const std::string local_manifest = (temp.path() / "local.json").string();
    const std::string remote_manifest = (temp.path() / "remote.json").string();
    REQUIRE(test::run_tool("st-audit", {"--manifest", local_manifest, path}).exit_status == 0);
    REQUIRE(test::run_tool("st-audit", {"--manifest", remote_manifest, url}).exit_status == 0);
    CHECK(read_text(remote_manifest) == read_text(local_manifest));
    CHECK(read_text(local_manifest).find("\"sha256\"") != std::string::npos);

    const auto verified = test::run_tool("st-audit", {"--verify", local_manifest, url});
    CHECK(verified.exit_status == 0);
    CHECK(verified.out.find(": OK against") != std::string::npos);
  }
  // The report names the URL redacted, in text and JSON, and on standard error too.
  const std::string secret_url = files.front().second + "?access_token=s3cr3t-t0ken";
  for (const char* format : {"text", "json"}) {
    const auto named = test::run_tool("st-audit", {"--values", "--format", format, secret_url});
    CHECK(named.exit_status == 0);
    CHECK(named.out.find("access_token=REDACTED") != std::string::npos);
    CHECK(named.out.find("s3cr3t") == std::string::npos);
    CHECK(named.err.find("s3cr3t") == std::string::npos);
  }
  // The values were seen: the NaN/Inf, zero and twin tensors of the data model are findings.
  const auto values = test::run_tool("st-audit", {"--values", files.front().second});
  CHECK(values.out.find("nan_inf") != std::string::npos);
  CHECK(values.out.find("zeros") != std::string::npos);
  CHECK(values.out.find("twin_b") != std::string::npos);
  // A data read is at most 1 MiB: the 3 MiB tensor took several requests, none of them larger.
  const LoggedRequests data_reads = nginx_log_for("/audit-data.safetensors");
  CHECK(data_reads.requests > 3);
  CHECK(data_reads.largest <= (1u << 20U));
}

TEST_CASE("st-audit URL: data reads that are not the range asked for, or of another version, exit 2",
          "[.][remote-live]") {
  const std::string hostile = server("STGUARD_TEST_HOSTILE");
  // Each route answers the header and signature probes correctly, so the
  // header-level audit passes; only the data reads misbehave.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/data-ignores-range", "NETWORK_OBJECT_CHANGED"},  // 200 to an If-Range request: another version
      {"/data-wrong-range", "NETWORK_RANGE_NOT_HONOURED"},
      {"/data-changed", "NETWORK_OBJECT_CHANGED"},
  };
  CHECK(test::run_tool("st-audit", {"--values", hostile + "/data-good"}).exit_status == 0);
  const test::TempDir temp;
  const std::string manifest = (temp.path() / "manifest.json").string();
  for (const auto& [route, code] : cases) {
    INFO(route);
    CHECK(test::run_tool("st-audit", {hostile + route}).exit_status == 0);
    for (const std::vector<std::string>& flags :
         {std::vector<std::string>{"--values"}, std::vector<std::string>{"--manifest", manifest}}) {
      std::vector<std::string> args = flags;
      args.push_back(hostile + route);
      const auto result = test::run_tool("st-audit", args);
      CHECK(result.exit_status == 2);
      CHECK(result.out.find(code) != std::string::npos);
    }
  }
  // A server that ignores Range altogether: the header is read, the end of the file cannot be.
  const auto whole = test::run_tool("st-audit", {hostile + "/ignore-range"});
  CHECK(whole.exit_status == 2);
  CHECK(whole.out.find("NETWORK_RANGE_NOT_HONOURED") != std::string::npos);
}

TEST_CASE("TLS on loopback: an untrusted certificate is NETWORK_TLS (exit 2); --ca-file trusts it",
          "[.][remote-live]") {
  const std::string tls = server("STGUARD_TEST_TLS");
  const std::string ca = server("STGUARD_TEST_TLS_CA");
  // The system store does not know the test's self-signed certificate.
  const auto refused = validate_url(tls + "/small");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == ErrorCode::network_tls);
  RemoteOptions trusting;
  trusting.ca_file = ca;
  CHECK(validate_url(tls + "/small", Options::strict(), trusting).ok());
  // A CA file libcurl cannot use (not a PEM at all) is refused, not ignored: verification stays on.
  RemoteOptions other_ca;
  other_ca.ca_file = std::string(STGUARD_SOURCE_DIR) + "/corpus/MANIFEST.tsv";  // not a PEM at all
  CHECK(validate_url(tls + "/small", Options::strict(), other_ca).error().code == ErrorCode::network_tls);

  auto result = test::run_tool("st-validate", {tls + "/small"});
  CHECK(result.exit_status == 2);
  CHECK(result.out.find("NETWORK_TLS") != std::string::npos);
  result = test::run_tool("st-validate", {"--ca-file", ca, tls + "/small"});
  CHECK(result.exit_status == 0);
  result = test::run_tool("st-audit", {"--values", "--ca-file", ca, tls + "/data-good"});
  CHECK(result.exit_status == 0);
  result = test::run_tool("st-audit", {tls + "/data-good"});
  CHECK(result.exit_status == 2);
  CHECK(result.out.find("NETWORK_TLS") != std::string::npos);
}
