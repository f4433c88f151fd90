// `pae-cli synthface axis`: one face walked along one attribute's axis of the built-in world,
// with CLIP's cosine to a prompt and the regressor's reading at each point, to see whether an
// edit has a gradient to follow towards the attribute.
#include "app/cli/checks.h"
#include "app/cli/commands.h"
#include "core/edit/model_set.h"
#include "core/io/image.h"
#include "core/synthface/axis.h"
#include "core/util/error.h"
#include "core/util/output_set.h"
#include "core/util/paths.h"

#include <iostream>
#include <memory>

namespace pae::cli {

void addSynthfaceAxisCommand(CLI::App& group)
{
    struct Options {
        synthface::AxisOptions axis;
        std::string attribute;
        std::string out;
        std::string sheet;
        bool json = false;
        bool noClobber = false;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = group.add_subcommand(
        "axis",
        "Walk one face along one attribute's latent axis: CLIP's cosine to a prompt and the regressor's reading "
        "at each point (is there a gradient for an edit to follow?)");
    cmd->add_option("--seed", o->axis.seed, "The face (as edit --seed)")
        ->required()
        ->check(wholeRange(0, 4294967295LL));
    cmd->add_option("--attribute", o->attribute,
                    "The attribute whose axis to walk: smile, brow_angle, mouth_open, eye_open, hair_color, "
                    "hair_length, hair_curl, bald, eye_size, mouth_width, skin_tone, face_width, glasses, beard, "
                    "background_hue")
        ->required();
    cmd->add_option("--prompt", o->axis.prompt, "What CLIP should see (\"a bald person\")")->required();
    cmd->add_option("--from", o->axis.from, "First point, in u (the coordinate after pixel norm)")
        ->capture_default_str()
        ->check(finiteRange(-100, 100));
    cmd->add_option("--to", o->axis.to, "Last point, in u")->capture_default_str()->check(finiteRange(-100, 100));
    cmd->add_option("--points", o->axis.points, "Points along the axis")
        ->capture_default_str()
        ->check(CLI::Range(2, 1000));
    cmd->add_option("--out", o->out, "Also write the table as Markdown");
    cmd->add_option("--sheet", o->sheet,
                    "Also write the faces along the axis as one image, the seed's own face framed (.png, .jpg, …)");
    cmd->add_flag("--json", o->json, "One JSON object on stdout instead of the table");
    addNoClobber(cmd, o->noClobber);
    cmd->callback([o] {
        try {
            o->axis.attribute = synthface::attrFromName(o->attribute);
        } catch (const UsageError& e) {
            throw UsageError(std::string("--attribute: ") + e.what());
        }
        OutputSet outputs(o->noClobber);
        const std::filesystem::path outFile = o->out.empty() ? std::filesystem::path() : outputs.add(o->out, "--out");
        if (!o->sheet.empty() && !io::isWritableImagePath(o->sheet))
            throw UsageError("--sheet " + o->sheet + ": unknown image type (use .png, .jpg, .jpeg, .webp or .bmp)");
        const std::filesystem::path sheetFile =
            o->sheet.empty() ? std::filesystem::path() : outputs.add(o->sheet, "--sheet");
        const auto models = ModelSet::load(ModelPaths{});
        const synthface::AxisReport report = synthface::walkAttributeAxis(*models, o->axis);
        const std::string markdown = report.toMarkdown();
        if (!outFile.empty())
            writeFileAtomically(outFile, markdown.data(), markdown.size());
        if (!sheetFile.empty())
            io::writeImage(report.sheet(128), sheetFile);
        outputs.commit();
        std::cout << (o->json ? report.toJson() : markdown);
    });
}

} // namespace pae::cli
