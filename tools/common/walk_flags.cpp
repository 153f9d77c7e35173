// --include, --exclude and --base (walk_flags.hpp).
#include "common/walk_flags.hpp"

#include "stguard/escape.hpp"

namespace stguard::cli {

void WalkFlags::add_to(CLI::App& app) {
  app.add_option("--include", include,
                 "In directory operands, take files matching this glob (repeatable; replaces the default "
                 "*.safetensors and *.safetensors.index.json)")
      ->type_name("GLOB");
  app.add_option("--exclude", exclude, "In directory operands, skip files and folders matching this glob (repeatable)")
      ->type_name("GLOB");
  app.add_option("--base", base,
                 "Folder that paths in github output (and st-audit's sarif) are relative to (default: the working directory)")
      ->type_name("DIR");
}

std::optional<std::string> WalkFlags::patterns(WalkOptions& options) const {
  auto parse_all = [](const std::vector<std::string>& texts, std::string_view flag,
                      std::vector<PathPattern>& out) -> std::optional<std::string> {
    for (const std::string& text : texts) {
      std::string problem;
      auto pattern = PathPattern::parse(text, &problem);
      if (!pattern) return std::string(flag) + " " + quote_for_display(text) + ": " + problem;
      out.push_back(std::move(*pattern));
    }
    return std::nullopt;
  };
  if (auto error = parse_all(include, "--include", options.include)) return error;
  return parse_all(exclude, "--exclude", options.exclude);
}

std::string directory_operands_help() {
  return R"(Directory operands are walked (docs/ci.md): files matching --include (default
*.safetensors and *.safetensors.index.json) and no --exclude, in name order.
Globs: * and ? stay within a folder name, ** spans folders, [a-z] sets; a glob
without '/' matches the file name at any depth, one with '/' the path relative
to the operand. Symbolic links are followed only to files inside the walked
folder; a link out of it (or to a folder outside it), a folder that cannot be
listed and a matching FIFO or device are reported as unreadable. An index judges
its shards: they are not judged again as loose files. File operands are always
judged, whatever the patterns. A folder with nothing to judge is a success.
)";
}

}  // namespace stguard::cli
