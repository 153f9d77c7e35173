// The dangerous set of callables for STG-CFG-001 and the name normalisation
// in front of it. An entry is a dotted name, lower case, matched exactly or
// as a prefix ending at a dot ("subprocess" covers "subprocess.run").
#include "callable_danger.hpp"

#include <array>
#include <span>

#include "stguard/cursor.hpp"
#include "text_scan.hpp"

namespace stguard::audit::detail {
namespace {

using namespace std::string_view_literals;

struct DangerEntry {
  std::string_view name;
  std::string_view family;
};

constexpr std::string_view kCode = "code execution";
constexpr std::string_view kImport = "imports or resolves any name";
constexpr std::string_view kProcess = "process spawning";
constexpr std::string_view kFiles = "file system";
constexpr std::string_view kNetwork = "network";
constexpr std::string_view kDeserialise = "deserialiser that runs code";
constexpr std::string_view kInternals = "interpreter internals";

// Names that look dangerous by prefix but only compute paths.
constexpr std::array kHarmless{"os.path"sv, "os.sep"sv, "os.pathsep"sv, "os.linesep"sv};

constexpr std::array kDangerous{
    // code execution (builtins: bare names and __builtin__ arrive as builtins.*)
    DangerEntry{"builtins.exec", kCode}, DangerEntry{"builtins.eval", kCode}, DangerEntry{"builtins.compile", kCode},
    DangerEntry{"builtins.__import__", kImport}, DangerEntry{"builtins.getattr", kImport},
    DangerEntry{"builtins.setattr", kInternals}, DangerEntry{"builtins.delattr", kInternals},
    DangerEntry{"builtins.globals", kInternals}, DangerEntry{"builtins.locals", kInternals},
    DangerEntry{"builtins.vars", kInternals}, DangerEntry{"builtins.breakpoint", kCode},
    DangerEntry{"builtins.open", kFiles}, DangerEntry{"code", kCode}, DangerEntry{"codeop", kCode},
    DangerEntry{"runpy", kCode}, DangerEntry{"timeit", kCode}, DangerEntry{"cprofile", kCode},
    DangerEntry{"profile", kCode}, DangerEntry{"pdb", kCode}, DangerEntry{"bdb", kCode}, DangerEntry{"trace", kCode},
    DangerEntry{"doctest", kCode}, DangerEntry{"types.functiontype", kCode}, DangerEntry{"types.codetype", kCode},
    DangerEntry{"types.lambdatype", kCode}, DangerEntry{"ctypes", kCode}, DangerEntry{"_ctypes", kCode},
    DangerEntry{"cffi", kCode}, DangerEntry{"torch.utils.cpp_extension", kCode},
    // name resolution: turns any string into any callable
    DangerEntry{"importlib", kImport}, DangerEntry{"imp", kImport}, DangerEntry{"zipimport", kImport},
    DangerEntry{"pkgutil", kImport}, DangerEntry{"pydoc", kImport}, DangerEntry{"operator.attrgetter", kImport},
    DangerEntry{"operator.methodcaller", kImport}, DangerEntry{"sys", kInternals},
    DangerEntry{"hydra.utils.instantiate", kImport}, DangerEntry{"hydra.utils.call", kImport},
    DangerEntry{"hydra.utils.get_method", kImport}, DangerEntry{"hydra.utils.get_class", kImport},
    DangerEntry{"hydra.utils.get_object", kImport}, DangerEntry{"hydra.utils._locate", kImport},
    DangerEntry{"hydra._internal", kImport},
    // processes
    DangerEntry{"os", kProcess}, DangerEntry{"posix", kProcess}, DangerEntry{"nt", kProcess},
    DangerEntry{"_posixsubprocess", kProcess}, DangerEntry{"subprocess", kProcess}, DangerEntry{"pty", kProcess},
    DangerEntry{"pexpect", kProcess}, DangerEntry{"commands", kProcess}, DangerEntry{"popen2", kProcess},
    DangerEntry{"multiprocessing", kProcess}, DangerEntry{"asyncio.subprocess", kProcess},
    DangerEntry{"asyncio.create_subprocess_exec", kProcess}, DangerEntry{"asyncio.create_subprocess_shell", kProcess},
    DangerEntry{"platform.popen", kProcess}, DangerEntry{"distutils.spawn", kProcess}, DangerEntry{"pip", kProcess},
    // files
    DangerEntry{"io.open", kFiles}, DangerEntry{"_io", kFiles}, DangerEntry{"codecs.open", kFiles},
    DangerEntry{"shutil", kFiles}, DangerEntry{"tarfile", kFiles}, DangerEntry{"zipfile", kFiles},
    DangerEntry{"fileinput", kFiles},
    // network
    DangerEntry{"socket", kNetwork}, DangerEntry{"_socket", kNetwork}, DangerEntry{"urllib", kNetwork},
    DangerEntry{"urllib2", kNetwork}, DangerEntry{"urllib3", kNetwork}, DangerEntry{"http", kNetwork},
    DangerEntry{"httplib", kNetwork}, DangerEntry{"requests", kNetwork}, DangerEntry{"httpx", kNetwork},
    DangerEntry{"aiohttp", kNetwork}, DangerEntry{"ftplib", kNetwork}, DangerEntry{"smtplib", kNetwork},
    DangerEntry{"telnetlib", kNetwork}, DangerEntry{"poplib", kNetwork}, DangerEntry{"imaplib", kNetwork},
    DangerEntry{"xmlrpc", kNetwork}, DangerEntry{"webbrowser", kNetwork}, DangerEntry{"paramiko", kNetwork},
    DangerEntry{"asyncio.open_connection", kNetwork},
    // deserialisers
    DangerEntry{"pickle", kDeserialise}, DangerEntry{"_pickle", kDeserialise}, DangerEntry{"cpickle", kDeserialise},
    DangerEntry{"dill", kDeserialise}, DangerEntry{"cloudpickle", kDeserialise}, DangerEntry{"joblib", kDeserialise},
    DangerEntry{"marshal", kDeserialise}, DangerEntry{"shelve", kDeserialise}, DangerEntry{"jsonpickle", kDeserialise},
    DangerEntry{"torch.load", kDeserialise}, DangerEntry{"torch.jit.load", kDeserialise},
    DangerEntry{"torch.hub", kDeserialise}, DangerEntry{"torch.package", kDeserialise},
    DangerEntry{"torch.serialization", kDeserialise}, DangerEntry{"pandas.read_pickle", kDeserialise},
    DangerEntry{"yaml.load", kDeserialise}, DangerEntry{"yaml.load_all", kDeserialise},
    DangerEntry{"yaml.unsafe_load", kDeserialise}, DangerEntry{"yaml.unsafe_load_all", kDeserialise},
    DangerEntry{"yaml.unsafeloader", kDeserialise},
};

// numpy's array loaders unpickle only with allow_pickle=True.
constexpr std::array kPickleWhenAllowed{"numpy.load"sv, "numpy.lib.npyio.load"sv, "numpy.lib.format.read_array"sv};

bool covers(std::string_view entry, std::string_view name) {
  return name == entry || (name.size() > entry.size() && name.starts_with(entry) && name[entry.size()] == '.');
}

std::string normalize(std::string_view callable) {
  std::string out;
  ByteCursor cursor(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(callable.data()), callable.size()));
  while (!cursor.empty()) {
    const std::size_t at = cursor.position();
    char32_t cp = 0;
    if (!next_code_point(cursor, cp)) {
      (void)cursor.skip(1);  // not UTF-8: keep the byte as it is
      out += callable[at];
      continue;
    }
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' || is_invisible(cp) ||
        is_bidi_control(cp)) {
      continue;
    }
    if (cp == ':' || cp == '/') {
      out += '.';
    } else if (cp >= 'A' && cp <= 'Z') {
      out += static_cast<char>(cp - 'A' + 'a');
    } else {
      out.append(callable.substr(at, cursor.position() - at));
    }
  }
  while (out.ends_with("()")) out.resize(out.size() - 2);
  std::string collapsed;
  for (const char c : out) {
    if (c == '.' && (collapsed.empty() || collapsed.back() == '.')) continue;
    collapsed += c;
  }
  while (!collapsed.empty() && collapsed.back() == '.') collapsed.pop_back();
  for (const std::string_view alias : {"__builtin__."sv, "__builtins__."sv}) {
    if (collapsed.starts_with(alias)) collapsed = "builtins." + collapsed.substr(alias.size());
  }
  if (!collapsed.empty() && collapsed.find('.') == std::string::npos) collapsed = "builtins." + collapsed;
  return collapsed;
}

// `x.__globals__`, `object.__subclasses__`: walks to interpreter internals.
// `__main__` (classes of the training script) is how Hydra names local
// classes and is left alone.
bool walks_a_dunder(std::string_view name) {
  std::size_t begin = 0;
  while (begin <= name.size()) {
    std::size_t end = name.find('.', begin);
    if (end == std::string_view::npos) end = name.size();
    const std::string_view part = name.substr(begin, end - begin);
    if (part.size() > 4 && part.starts_with("__") && part.ends_with("__") && part != "__main__") return true;
    begin = end + 1;
  }
  return false;
}

}  // namespace

CallableVerdict classify_callable(std::string_view callable, bool allow_pickle) {
  CallableVerdict verdict;
  verdict.normalized = normalize(callable);
  const std::string_view name = verdict.normalized;
  if (walks_a_dunder(name) && !name.starts_with("builtins.__import__")) {
    verdict.dangerous = true;
    verdict.family = kInternals;
    return verdict;
  }
  for (const std::string_view harmless : kHarmless) {
    if (covers(harmless, name)) return verdict;
  }
  for (const DangerEntry& entry : kDangerous) {
    if (covers(entry.name, name)) {
      verdict.dangerous = true;
      verdict.family = entry.family;
      return verdict;
    }
  }
  for (const std::string_view loader : kPickleWhenAllowed) {
    if (allow_pickle && covers(loader, name)) {
      verdict.dangerous = true;
      verdict.family = kDeserialise;
      return verdict;
    }
  }
  return verdict;
}

}  // namespace stguard::audit::detail
