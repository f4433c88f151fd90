#include "core/edit/batch.h"

#include "core/pae/corpus.h"
#include "core/util/error.h"
#include "core/util/paths.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace pae {
namespace fs = std::filesystem;

BatchShard parseShard(const std::string& text)
{
    const auto bad = [&] {
        return UsageError("--shard: '" + text + "' is not I/N with 0 ≤ I < N (e.g. 0/4; Slurm: " +
                          "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)");
    };
    const size_t slash = text.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == text.size())
        throw bad();
    const auto number = [&](const std::string& s) {
        if (s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos)
            throw bad();
        return std::stoi(s);
    };
    BatchShard shard;
    shard.index = number(text.substr(0, slash));
    shard.count = number(text.substr(slash + 1));
    if (shard.count < 1 || shard.index >= shard.count)
        throw bad();
    return shard;
}

namespace {

// Thrown inside parseBatchLine, caught there: the field and the problem of one line.
struct LineError {
    std::string field;
    std::string message;
};

const std::set<std::string>& knownFields()
{
    static const std::set<std::string> fields{
        "id",           "seed",   "truncation", "latent",    "photo",      "face",           "align",
        "invert_steps", "prompt", "corpus",     "target",    "basis",      "pca_k",          "lambdas",
        "steps",        "lr",     "l2",         "id_weight", "resolution", "optimizer_seed", "preset"};
    return fields;
}

// An unknown field's name as a message can show it: as written when it is plain text, else
// as a JSON string (an empty name, control characters). Found by fuzz_manifest: the empty
// name made the record read "line 4: : unknown field".
std::string printableField(const std::string& key)
{
    const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f && c != '"';
    });
    return plain ? key : nlohmann::json(key).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string trimmedRight(std::string s)
{
    while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
        s.pop_back();
    return s;
}

bool validId(const std::string& id)
{
    if (id.empty() || id.size() > 128 || id[0] == '.' || id[0] == '-')
        return false;
    for (char c : id)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
            return false;
    return true;
}

std::string typeName(const nlohmann::json& v)
{
    if (v.is_number_float())
        return "the number " + v.dump();
    return std::string(v.type_name()) + " " + v.dump();
}

std::string needString(const nlohmann::json& j, const char* field)
{
    const auto& v = j.at(field);
    if (!v.is_string())
        throw LineError{field, "expected a string, found " + typeName(v)};
    return v.get<std::string>();
}

int needInt(const nlohmann::json& j, const char* field, long long lo, long long hi)
{
    const auto& v = j.at(field);
    if (!v.is_number_integer())
        throw LineError{field, "expected an integer, found " + typeName(v)};
    const long long x = v.get<long long>();
    if (x < lo || x > hi)
        throw LineError{field,
                        std::to_string(x) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]"};
    return int(x);
}

float needNumber(const nlohmann::json& j, const char* field)
{
    const auto& v = j.at(field);
    if (!v.is_number())
        throw LineError{field, "expected a number, found " + typeName(v)};
    const double x = v.get<double>();
    if (!std::isfinite(float(x)))
        throw LineError{field, v.dump() + " does not fit a float"};
    return float(x);
}

fs::path needFile(const nlohmann::json& j, const char* field, const fs::path& manifest)
{
    const std::string text = needString(j, field);
    if (text.empty())
        throw LineError{field, "is empty"};
    fs::path p(text);
    if (p.is_relative())
        p = manifest.parent_path() / p;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec))
        throw LineError{field, p.string() + ": no such file"};
    return p;
}

// A kind parser's UsageError reads "target: 'x' is not …": keep the problem, the field
// comes from the manifest.
template <class F> auto parseKind(const nlohmann::json& j, const char* field, F parse)
{
    const std::string text = needString(j, field);
    try {
        return parse(text);
    } catch (const UsageError& e) {
        std::string what = e.what();
        const size_t colon = what.find(": ");
        throw LineError{field, colon == std::string::npos ? what : what.substr(colon + 2)};
    }
}

void parseFields(const nlohmann::json& j, BatchItem& item, const fs::path& manifest)
{
    if (!j.is_object())
        throw LineError{"(line)", "expected a JSON object, found " + std::string(j.type_name())};
    for (const auto& [key, value] : j.items())
        if (!knownFields().count(key))
            throw LineError{printableField(key),
                            "unknown field (known: id, seed, latent, photo, face, align, invert_steps, truncation, "
                            "prompt, corpus, target, basis, pca_k, lambdas, steps, lr, l2, id_weight, "
                            "resolution, optimizer_seed)"};
    if (j.contains("id")) {
        const std::string id = needString(j, "id");
        if (!validId(id))
            throw LineError{"id",
                            "'" + id + "' is not a folder name (1–128 of A–Z a–z 0–9 . _ -, not starting with . or -)"};
        item.id = id;
    }
    if (j.contains("preset"))
        throw LineError{"preset", "presets are not supported by this version of pae-cli; give the settings as fields"};

    const int sources = int(j.contains("seed")) + int(j.contains("latent")) + int(j.contains("photo"));
    if (sources != 1)
        throw LineError{"seed/latent/photo", sources == 0 ? "no face source: give one of seed, latent, photo"
                                                          : "give only one of seed, latent, photo"};
    if (j.contains("seed")) {
        const auto& v = j.at("seed");
        if (!v.is_number_unsigned())
            throw LineError{"seed", "expected an integer ≥ 0, found " + typeName(v)};
        item.sourceKind = FaceSourceKind::Seed;
        item.seed = v.get<uint64_t>();
    } else if (j.contains("latent")) {
        item.sourceKind = FaceSourceKind::Latent;
        item.latentFile = needFile(j, "latent", manifest);
    } else {
        item.sourceKind = FaceSourceKind::Photo;
        item.photoFile = needFile(j, "photo", manifest);
    }
    if (j.contains("truncation")) {
        if (item.sourceKind != FaceSourceKind::Seed)
            throw LineError{"truncation", "only a seed face has a truncation"};
        item.truncation = needNumber(j, "truncation");
        if (item.truncation < 0 || item.truncation > 2)
            throw LineError{"truncation", std::to_string(item.truncation) + " is outside [0, 2]"};
    }
    for (const char* photoOnly : {"face", "align", "invert_steps"})
        if (j.contains(photoOnly) && item.sourceKind != FaceSourceKind::Photo)
            throw LineError{photoOnly, "only a photo source has this field"};
    if (j.contains("face"))
        item.face = needInt(j, "face", 0, 1000);
    if (j.contains("align")) {
        if (!j.at("align").is_boolean())
            throw LineError{"align", "expected true or false, found " + typeName(j.at("align"))};
        item.align = j.at("align").get<bool>();
    }
    if (item.face && item.align == false)
        throw LineError{"face", "picking a face needs alignment (align: true)"};
    if (j.contains("invert_steps"))
        item.invertSteps = needInt(j, "invert_steps", 1, 100000);

    EditRequest& r = item.request;
    if (!j.contains("prompt"))
        throw LineError{"prompt", "missing (what the face should become, e.g. \"a happy face\")"};
    r.prompt = needString(j, "prompt");
    if (r.prompt.find_first_not_of(" \t\r\n") == std::string::npos)
        throw LineError{"prompt", "is empty"};
    if (j.contains("corpus"))
        r.corpus = needString(j, "corpus");
    if (j.contains("target"))
        item.target = parseKind(j, "target", parseTargetKind);
    if (j.contains("basis"))
        r.basis = parseKind(j, "basis", parseBasisKind);
    if (j.contains("resolution"))
        r.resolution = parseKind(j, "resolution", parseResolutionMode);
    if (j.contains("pca_k"))
        r.pcaComponents = needInt(j, "pca_k", 1, 512);
    if (j.contains("lambdas")) {
        const auto& v = j.at("lambdas");
        r.lambdas.clear();
        if (v.is_number())
            r.lambdas.push_back(needNumber(j, "lambdas"));
        else if (v.is_array() && !v.empty()) {
            for (size_t k = 0; k < v.size(); ++k) {
                if (!v[k].is_number())
                    throw LineError{"lambdas",
                                    "entry " + std::to_string(k) + " is " + typeName(v[k]) + ", not a number"};
                r.lambdas.push_back(float(v[k].get<double>()));
            }
        } else
            throw LineError{"lambdas", "expected a number or a non-empty list of numbers, found " + typeName(v)};
        item.lambdas = r.lambdas;
    }
    if (j.contains("steps"))
        r.steps = needInt(j, "steps", 1, 100000);
    if (j.contains("lr"))
        r.learningRate = needNumber(j, "lr");
    if (j.contains("l2"))
        item.l2Weight = needNumber(j, "l2");
    if (j.contains("id_weight"))
        item.idWeight = needNumber(j, "id_weight");
    if (j.contains("optimizer_seed")) {
        if (!j.at("optimizer_seed").is_number_unsigned())
            throw LineError{"optimizer_seed", "expected an integer ≥ 0, found " + typeName(j.at("optimizer_seed"))};
        r.seed = j.at("optimizer_seed").get<uint64_t>();
    }
    r.previewEvery = 0;

    // The engine's own checks (EditRequest::validate) on everything but the source, which
    // is only read when the item runs. Its field names are the CLI's; say the manifest's.
    static const std::map<std::string, std::string> manifestName{
        {"lambda", "lambdas"}, {"id", "id_weight"}, {"pca-k", "pca_k"}};
    EditRequest check = r;
    check.l2Weight = item.l2Weight.value_or(0.f);
    check.idWeight = item.idWeight.value_or(0.f);
    check.target = item.target.value_or(check.target);
    check.source.numLatents = 1;
    check.source.styleDim = 1;
    check.source.values = {0.f}; // validate() insists on a source; the real one is checked when it is read
    try {
        check.validate();
    } catch (const UsageError& e) {
        const std::string what = e.what();
        const size_t colon = what.find(": ");
        std::string field = what.substr(0, colon);
        if (manifestName.count(field))
            field = manifestName.at(field);
        throw LineError{field, colon == std::string::npos ? what : what.substr(colon + 2)};
    }
}

} // namespace

BatchItem parseBatchLine(const std::string& line, size_t index, const fs::path& manifest)
{
    BatchItem item;
    item.index = index;
    item.text = trimmedRight(line);
    item.id = fnv1a64Hex(item.text);
    const std::string where = manifest.string() + " line " + std::to_string(index + 1) + ": ";
    try {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(item.text);
        } catch (const nlohmann::json::exception& e) {
            // parse_error, and out_of_range for a number beyond a double (1E999): found by
            // fuzz_manifest, it used to stop the whole batch with the library's own text.
            std::string what = e.what();
            const size_t close = what.find("] ");
            throw LineError{"(line)", "not JSON: " + (close == std::string::npos ? what : what.substr(close + 2))};
        }
        parseFields(j, item, manifest);
    } catch (const LineError& e) {
        item.errorField = e.field;
        item.error = where + e.field + ": " + e.message;
    }
    return item;
}

BatchManifest readBatchManifest(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path.string() + ": cannot read the manifest: " + std::strerror(errno));
    BatchManifest manifest;
    manifest.path = path;
    std::string line;
    std::map<std::string, size_t> firstLineOf;
    for (size_t index = 0; std::getline(in, line); ++index) {
        if (line.find_first_not_of(" \t\r") == std::string::npos)
            continue;
        BatchItem item = parseBatchLine(line, index, path);
        const auto [seen, inserted] = firstLineOf.emplace(item.id, index);
        if (!inserted) {
            const std::string where = path.string() + " line " + std::to_string(index + 1) + ": ";
            item.errorField = "id";
            item.error = where + "id: '" + item.id + "' is used by line " + std::to_string(seen->second + 1) +
                         " already (identical lines need an id each)";
            item.id += "-line" + std::to_string(index + 1);
        }
        manifest.items.push_back(std::move(item));
    }
    if (in.bad())
        throw Error(path.string() + ": read error");
    return manifest;
}

EditRequest batchRequest(const BatchItem& item, const ModelInfo& models)
{
    EditRequest r = item.request;
    // A manifest line sets no rows or space, so the corpus's header has them (as in the studio);
    // its target, l2 and id_weight win over the header's.
    const EditRequest defaults = r.corpus.empty()
                                     ? EditRequest::defaults(models)
                                     : EditRequest::defaults(models, findCorpus(r.corpus, models.corpusRoot));
    r.l2Weight = item.l2Weight.value_or(defaults.l2Weight);
    r.idWeight = item.idWeight.value_or(defaults.idWeight);
    r.target = item.target.value_or(defaults.target);
    r.lambdas = item.lambdas.value_or(defaults.lambdas);
    r.layers = defaults.layers;
    r.sharedOffset = defaults.sharedOffset;
    return r;
}

namespace {

std::string fileHash(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path.string() + ": cannot read: " + std::strerror(errno));
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return fnv1a64Hex(bytes.str());
}

} // namespace

nlohmann::json batchSettings(const BatchItem& item, const ModelInfo& models)
{
    const EditRequest r = batchRequest(item, models);
    nlohmann::json source;
    switch (item.sourceKind) {
    case FaceSourceKind::Seed:
        source = {{"seed", item.seed}, {"truncation", item.truncation}};
        break;
    case FaceSourceKind::Latent:
        source = {{"latent", item.latentFile.filename().string()}, {"content", fileHash(item.latentFile)}};
        break;
    case FaceSourceKind::Photo:
        source = {{"photo", item.photoFile.filename().string()},
                  {"content", fileHash(item.photoFile)},
                  {"face", item.face.value_or(0)},
                  {"align", item.align.value_or(!models.builtin)},
                  {"invert_steps", item.invertSteps}};
        break;
    }
    // Floats go through the JSON number printer, which round-trips them exactly.
    nlohmann::json settings{{"source", source},
                            {"prompt", r.prompt},
                            {"corpus", r.corpus},
                            {"target", toString(r.target)},
                            {"basis", toString(r.basis)},
                            {"pca_k", r.pcaComponents},
                            {"lambdas", r.lambdas},
                            {"steps", r.steps},
                            {"lr", r.learningRate},
                            {"l2", r.l2Weight},
                            {"id_weight", r.idWeight},
                            {"resolution", toString(r.resolution)},
                            {"optimizer_seed", r.seed},
                            {"models", {{"clip", models.clipDescription}, {"generator", models.generatorDescription}}}};
    // Only when a corpus header sets them, so that the hashes of earlier batches still match.
    if (!r.layers.empty())
        settings["layers"] = r.layers;
    if (r.sharedOffset)
        settings["space"] = "w";
    return settings;
}

std::string batchSettingsHash(const nlohmann::json& settings) { return fnv1a64Hex(settings.dump()); }

fs::path batchItemDir(const fs::path& out, const BatchItem& item) { return out / item.id; }

std::string batchImageName(size_t lambdaIndex) { return "image-" + std::to_string(lambdaIndex) + ".png"; }

std::string batchLatentName(size_t lambdaIndex) { return "latent-" + std::to_string(lambdaIndex) + ".safetensors"; }

nlohmann::json batchWeights(const ModelInfo& models)
{
    return {{"clip", models.clipHash}, {"generator", models.generatorHash}};
}

bool batchItemComplete(const fs::path& itemDir, const std::string& settingsHash, const nlohmann::json& weights)
{
    std::ifstream in(itemDir / "metrics.json");
    if (!in)
        return false;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
        const auto& batch = j.at("batch");
        if (batch.at("settings_hash").get<std::string>() != settingsHash)
            return false;
        if (batch.contains("weights") && batch.at("weights") != weights)
            return false; // made by other weights of the same models (a retrained one)
        for (const auto& f : batch.at("files")) {
            std::error_code ec;
            const auto size = fs::file_size(itemDir / f.at("name").get<std::string>(), ec);
            if (ec || size != f.at("bytes").get<uintmax_t>())
                return false;
        }
        return !batch.at("files").empty();
    } catch (const nlohmann::json::exception&) {
        return false;
    }
}

void clearBatchItemDir(const fs::path& itemDir)
{
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(itemDir, ec)) {
        const std::string name = entry.path().filename().string();
        // writeFileAtomically's and saveLatent's temporaries: ".<name>.tmp-<pid>-<n>"
        const bool temporary = name.size() > 1 && name[0] == '.' && name.find(".tmp") != std::string::npos;
        const bool output = (name.rfind("image-", 0) == 0 || name.rfind("latent-", 0) == 0 || name == "metrics.json" ||
                             name == "error.json");
        if (temporary || output) {
            fs::remove(entry.path(), ec);
            if (ec)
                throw Error(entry.path().string() + ": cannot remove: " + ec.message());
        }
    }
}

BatchItemLock::BatchItemLock(const fs::path& itemDir)
{
    std::error_code ec;
    fs::create_directories(itemDir, ec);
    if (ec)
        throw Error(itemDir.string() + ": cannot create the item folder: " + ec.message());
    const fs::path lock = itemDir / ".lock";
    m_fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0)
        throw Error(lock.string() + ": cannot open the lock file: " + std::strerror(errno));
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(m_fd);
        m_fd = -1;
        if (err != EWOULDBLOCK)
            throw Error(lock.string() + ": cannot lock: " + std::strerror(err));
    }
}

BatchItemLock::~BatchItemLock()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

void writeJsonAtomically(const fs::path& path, const nlohmann::json& j)
{
    const std::string text = j.dump(2) + "\n";
    writeFileAtomically(path, text.data(), text.size());
}

} // namespace pae
