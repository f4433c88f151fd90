#include "app/cli/commands.h"
#include "core/text/clip_tokenizer.h"
#include "core/util/paths.h"

#include <iostream>
#include <string>
#include <vector>

namespace pae::cli {

void addTokenizeCommand(CLI::App& app)
{
    auto* cmd = app.add_subcommand(
        "tokenize", "Print CLIP token ids (start and end tokens included), one JSON array per TEXT");
    auto clipDir = std::make_shared<std::string>();
    auto texts = std::make_shared<std::vector<std::string>>();
    cmd->add_option("--clip", *clipDir,
                    "CLIP model folder (reads vocab.json and merges.txt); default: built-in SynthFace");
    cmd->add_option("text", *texts, "Texts to tokenize")->required();
    cmd->callback([clipDir, texts] {
        const auto tokenizer =
            text::ClipTokenizer::fromFolder(clipDir->empty() ? builtinModelsDir() / "clip" : std::filesystem::path(*clipDir));
        for (const auto& t : *texts) {
            const auto ids = tokenizer.tokenize(t);
            std::string line = "[";
            for (size_t i = 0; i < ids.size(); ++i) {
                if (i)
                    line += ",";
                line += std::to_string(ids[i]);
            }
            std::cout << line << "]\n";
        }
    });
}

} // namespace pae::cli
