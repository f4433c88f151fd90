// CLIP against OpenAI's reference model.py, run on the tiny fixture's weights
// (tests/fixtures/make_tiny_clip.py wrote expected.json).
#include "core/io/safetensors.h"
#include "core/models/clip.h"
#include "core/models/clip_preprocess.h"
#include "core/models/strict_load.h"
#include "core/util/error.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <QImage>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using nlohmann::json;
using pae::models::ClipConfig;
using pae::models::ClipModel;

namespace {

const fs::path kFixture = fs::path(PAE_TEST_DATA_DIR) / "tiny-clip";

const json& expected()
{
    static const json data = [] {
        std::ifstream in(kFixture / "expected.json");
        return json::parse(in);
    }();
    return data;
}

torch::Tensor toTensor(const json& nested)
{
    // Nested lists of numbers → float tensor of the same shape.
    std::vector<int64_t> shape;
    for (const json* level = &nested; level->is_array(); level = &(*level)[0])
        shape.push_back(static_cast<int64_t>(level->size()));
    std::vector<float> flat;
    std::function<void(const json&)> walk = [&](const json& j) {
        if (j.is_array())
            for (const auto& item : j)
                walk(item);
        else
            flat.push_back(j.get<float>());
    };
    walk(nested);
    return torch::tensor(flat).view(shape);
}

torch::Tensor expectedIds()
{
    std::vector<int64_t> flat;
    for (const auto& row : expected()["ids"])
        for (const auto& id : row)
            flat.push_back(id.get<int64_t>());
    return torch::tensor(flat).view({static_cast<int64_t>(expected()["ids"].size()), -1});
}

double relativeError(const torch::Tensor& got, const torch::Tensor& want)
{
    return ((got - want).abs().max() / want.abs().max()).item<double>();
}

void copyFixture(const fs::path& to)
{
    for (const char* name : {"config.json", "model.safetensors", "vocab.json", "merges.txt"})
        fs::copy_file(kFixture / name, to / name);
}

void writeText(const fs::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

QString loadError(const fs::path& dir)
{
    try {
        pae::models::loadClip(dir, torch::kCPU);
    } catch (const pae::Error& e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

json fixtureConfig()
{
    std::ifstream in(kFixture / "config.json");
    return json::parse(in);
}

} // namespace

class TestClip : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldMatchReference_whenLoadingTheFixture()
    {
        auto clip = pae::models::loadClip(kFixture, torch::kCPU);
        torch::NoGradGuard noGrad;
        const auto text = clip.model->encodeText(expectedIds());
        QVERIFY(relativeError(text, toTensor(expected()["quick_gelu"]["text_features"])) < 1e-4);
        const auto pixels = pae::io::loadSafetensors(kFixture / "test_pixels.safetensors").at("pixel_values");
        const auto image = clip.model->encodeImage(pixels);
        QVERIFY(relativeError(image, toTensor(expected()["quick_gelu"]["image_features"])) < 1e-4);
        QCOMPARE(clip.config.projectionDim, 24);
        QCOMPARE(clip.config.text.numHeads, 4);
        QCOMPARE(clip.config.vision.numHeads, 2);
        QCOMPARE(clip.hash.size(), size_t(16));
    }

    void shouldTokenizeLikeTheReference_thenPoolAtTheEndToken()
    {
        auto clip = pae::models::loadClip(kFixture, torch::kCPU);
        std::vector<std::string> texts;
        for (const auto& t : expected()["texts"])
            texts.push_back(t.get<std::string>());
        const auto ids = clip.tokenize(texts);
        QVERIFY(torch::equal(ids, expectedIds()));
        torch::NoGradGuard noGrad;
        QVERIFY(relativeError(clip.model->encodeText(ids), toTensor(expected()["quick_gelu"]["text_features"])) < 1e-4);
    }

    void shouldIgnorePadding_afterTheEndToken()
    {
        auto clip = pae::models::loadClip(kFixture, torch::kCPU);
        torch::NoGradGuard noGrad;
        auto ids = expectedIds().slice(0, 1, 2).clone(); // "sad": 4 tokens, then padding
        const auto a = clip.model->encodeText(ids);
        ids.index_put_({0, torch::indexing::Slice(6, torch::indexing::None)}, 7);
        const auto b = clip.model->encodeText(ids);
        QVERIFY(torch::allclose(a, b, 1e-6, 1e-6));
        const auto shorter = clip.model->encodeText(ids.slice(1, 0, 4));
        QVERIFY(torch::allclose(a, shorter, 1e-5, 1e-5));
    }

    void shouldHonourGelu_whenTheConfigAsksForIt()
    {
        QTemporaryDir tmp;
        const fs::path dir = tmp.path().toStdString();
        copyFixture(dir);
        auto config = fixtureConfig();
        config["text_config"]["hidden_act"] = "gelu";
        config["vision_config"]["hidden_act"] = "gelu";
        writeText(dir / "config.json", config.dump());
        auto clip = pae::models::loadClip(dir, torch::kCPU);
        torch::NoGradGuard noGrad;
        const auto text = clip.model->encodeText(expectedIds());
        QVERIFY(relativeError(text, toTensor(expected()["gelu"]["text_features"])) < 1e-4);
        QVERIFY(relativeError(text, toTensor(expected()["quick_gelu"]["text_features"])) > 1e-3);
        const auto pixels = pae::io::loadSafetensors(kFixture / "test_pixels.safetensors").at("pixel_values");
        QVERIFY(relativeError(clip.model->encodeImage(pixels), toTensor(expected()["gelu"]["image_features"])) < 1e-4);
    }

    void shouldKeepTheHash_acrossCopies_andChangeIt_withTheWeights()
    {
        QTemporaryDir tmp;
        const fs::path dir = tmp.path().toStdString();
        copyFixture(dir);
        const auto original = pae::models::loadClip(kFixture, torch::kCPU).hash;
        QCOMPARE(pae::models::loadClip(dir, torch::kCPU).hash, original);
        auto tensors = pae::io::loadSafetensors(kFixture / "model.safetensors");
        tensors["logit_scale"] = torch::full({}, 4.0);
        pae::io::saveSafetensors(dir / "model.safetensors", tensors);
        QVERIFY(pae::models::loadClip(dir, torch::kCPU).hash != original);
    }

    void shouldRejectActivation_whenUnknown()
    {
        QTemporaryDir tmp;
        const fs::path dir = tmp.path().toStdString();
        copyFixture(dir);
        auto config = fixtureConfig();
        config["vision_config"]["hidden_act"] = "relu";
        writeText(dir / "config.json", config.dump());
        const QString error = loadError(dir);
        QVERIFY2(error.contains("vision_config.hidden_act") && error.contains("relu"), qPrintable(error));
    }

    void shouldNameTheKey_whenATensorIsMissing()
    {
        QTemporaryDir tmp;
        const fs::path dir = tmp.path().toStdString();
        copyFixture(dir);
        auto tensors = pae::io::loadSafetensors(kFixture / "model.safetensors");
        tensors.erase("text_model.encoder.layers.1.mlp.fc2.bias");
        pae::io::saveSafetensors(dir / "model.safetensors", tensors);
        const QString error = loadError(dir);
        QVERIFY2(error.contains("text_model.encoder.layers.1.mlp.fc2.bias") && error.contains("missing") &&
                     error.contains("model.safetensors"),
                 qPrintable(error));
    }

    void shouldReportBothShapes_whenATensorIsMisshaped()
    {
        QTemporaryDir tmp;
        const fs::path dir = tmp.path().toStdString();
        copyFixture(dir);
        auto tensors = pae::io::loadSafetensors(kFixture / "model.safetensors");
        tensors["visual_projection.weight"] = torch::zeros({24, 31});
        pae::io::saveSafetensors(dir / "model.safetensors", tensors);
        const QString error = loadError(dir);
        QVERIFY2(error.contains("visual_projection.weight") && error.contains("got [24,31], expected [24,32]"),
                 qPrintable(error));
    }

    void shouldRejectUnknownTensors()
    {
        QTemporaryDir tmp;
        const fs::path dir = tmp.path().toStdString();
        copyFixture(dir);
        auto tensors = pae::io::loadSafetensors(kFixture / "model.safetensors");
        tensors["vision_model.head.weight"] = torch::zeros({2});
        pae::io::saveSafetensors(dir / "model.safetensors", tensors);
        const QString error = loadError(dir);
        QVERIFY2(error.contains("unknown") && error.contains("vision_model.head.weight"), qPrintable(error));
    }

    void shouldAcceptPositionIds_fromOlderExports()
    {
        QTemporaryDir tmp;
        const fs::path dir = tmp.path().toStdString();
        copyFixture(dir);
        auto tensors = pae::io::loadSafetensors(kFixture / "model.safetensors");
        tensors["text_model.embeddings.position_ids"] = torch::arange(16).view({1, 16});
        tensors["vision_model.embeddings.position_ids"] = torch::arange(17).view({1, 17});
        pae::io::saveSafetensors(dir / "model.safetensors", tensors);
        auto clip = pae::models::loadClip(dir, torch::kCPU);
        torch::NoGradGuard noGrad;
        QVERIFY(relativeError(clip.model->encodeText(expectedIds()),
                              toTensor(expected()["quick_gelu"]["text_features"])) < 1e-4);
    }

    void shouldRejectConfig_whenAFieldHasTheWrongType_data()
    {
        QTest::addColumn<QString>("tower");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::newRow("string width") << "text_config"
                                      << "hidden_size"
                                      << "\"32\"";
        QTest::newRow("float layers") << "vision_config"
                                      << "num_hidden_layers"
                                      << "2.5";
        QTest::newRow("numeric act") << "text_config"
                                     << "hidden_act"
                                     << "1";
        QTest::newRow("string eps") << "vision_config"
                                    << "layer_norm_eps"
                                    << "\"1e-5\"";
    }
    void shouldRejectConfig_whenAFieldHasTheWrongType()
    {
        QFETCH(QString, tower);
        QFETCH(QString, field);
        QFETCH(QString, value);
        QTemporaryDir tmp;
        const fs::path path = fs::path(tmp.path().toStdString()) / "config.json";
        auto config = fixtureConfig();
        config[tower.toStdString()][field.toStdString()] = json::parse(value.toStdString());
        writeText(path, config.dump());
        try {
            ClipConfig::fromJsonFile(path);
            QFAIL("no error for a wrongly typed field");
        } catch (const pae::Error& e) {
            const QString msg = e.what();
            QVERIFY2(msg.contains(tower + "." + field) && msg.contains("config.json"), qPrintable(msg));
        }
    }

    void shouldRejectConfig_whenNotJson()
    {
        QTemporaryDir tmp;
        const fs::path path = fs::path(tmp.path().toStdString()) / "config.json";
        writeText(path, "{\"text_config\": {");
        QVERIFY_THROWS_EXCEPTION(pae::Error, ClipConfig::fromJsonFile(path));
    }

    void shouldUseViTB32Defaults_andPreferTheDictFields_whenTheConfigIsOld()
    {
        QTemporaryDir tmp;
        const fs::path path = fs::path(tmp.path().toStdString()) / "config.json";
        // Old transformers: full defaults under text_config, the real values in text_config_dict.
        writeText(path, R"({"text_config": {"hidden_size": 512, "num_attention_heads": 8},
                            "text_config_dict": {"hidden_size": 768, "num_attention_heads": 12},
                            "vision_config": null, "projection_dim": 768})");
        const auto c = ClipConfig::fromJsonFile(path);
        QCOMPARE(c.text.hiddenSize, 768);
        QCOMPARE(c.text.numHeads, 12);
        QCOMPARE(c.text.vocabSize, 49408);
        QCOMPARE(c.text.maxPositions, 77);
        QCOMPARE(c.vision.hiddenSize, 768);
        QCOMPARE(c.vision.patchSize, 32);
        QCOMPARE(c.vision.imageSize, 224);
        QCOMPARE(c.vision.hiddenAct, std::string("quick_gelu"));
        QCOMPARE(c.projectionDim, 768);
    }

    void shouldInferTheConfig_fromTensorShapes()
    {
        ClipConfig config;
        config.text = {300, 128, 256, 3, 2, 20, 1e-5, "quick_gelu"};
        config.vision = {64, 96, 2, 1, 48, 16, 1e-5, "quick_gelu"};
        config.projectionDim = 40;
        ClipModel model(config);
        pae::io::TensorMap tensors;
        for (const auto& item : model->named_parameters())
            tensors[item.key()] = item.value();
        const auto inferred = ClipConfig::fromTensors(tensors);
        QCOMPARE(inferred.describe(), config.describe());
        // Strict loading is a pure lookup: the model's names are the checkpoint's names.
        QVERIFY(tensors.count("vision_model.pre_layrnorm.weight"));
        QVERIFY(!tensors.count("vision_model.embeddings.patch_embedding.bias"));
        QVERIFY(!tensors.count("visual_projection.bias"));
        QVERIFY(tensors.count("logit_scale"));
        ClipModel copy(inferred);
        pae::models::loadStrict(*copy, tensors, "memory");
    }

    void shouldAskForConfigJson_whenTheWidthHidesTheHeadCount()
    {
        const auto tensors = pae::io::loadSafetensors(kFixture / "model.safetensors");
        try {
            ClipConfig::fromTensors(tensors);
            QFAIL("heads inferred from a width of 32");
        } catch (const pae::Error& e) {
            QVERIFY2(QString(e.what()).contains("config.json"), e.what());
        }
    }

    void shouldRefuseImages_ofTheWrongSize()
    {
        auto clip = pae::models::loadClip(kFixture, torch::kCPU);
        try {
            clip.model->encodeImage(torch::zeros({1, 3, 224, 224}));
            QFAIL("no error for 224px input to a 32px model");
        } catch (const pae::Error& e) {
            QVERIFY2(QString(e.what()).contains("[1,3,224,224]") && QString(e.what()).contains("[N,3,32,32]"),
                     e.what());
        }
    }

    void shouldPreprocessLikeTorchvision_whenGivenATensor()
    {
        const QImage png(QString::fromStdString((kFixture / "test_image.png").string()));
        QVERIFY(!png.isNull());
        const QImage rgb = png.convertToFormat(QImage::Format_RGB888);
        auto x = torch::empty({1, rgb.height(), rgb.width(), 3}, torch::kUInt8);
        for (int y = 0; y < rgb.height(); ++y)
            std::memcpy(x[0][y].data_ptr(), rgb.constScanLine(y), size_t(rgb.width()) * 3);
        const auto images01 = x.permute({0, 3, 1, 2}).to(torch::kFloat32) / 255.0;
        const auto out = pae::models::clipPreprocess(images01, 32);
        QCOMPARE(out.sizes().vec(), (std::vector<int64_t>{1, 3, 32, 32}));
        QVERIFY(relativeError(out[0], toTensor(expected()["image_tensor"])) < 1e-5);
        // Portrait input: the long side is cropped, the result is square.
        QCOMPARE(pae::models::clipPreprocess(torch::rand({2, 3, 61, 40}), 24).sizes().vec(),
                 (std::vector<int64_t>{2, 3, 24, 24}));
    }

    void shouldPreprocessLikePil_whenGivenAnImage()
    {
        const QImage rgb = QImage(QString::fromStdString((kFixture / "test_image.png").string()))
                               .convertToFormat(QImage::Format_RGB888);
        pae::ImageRGB image;
        image.width = rgb.width();
        image.height = rgb.height();
        for (int y = 0; y < rgb.height(); ++y)
            image.pixels.insert(image.pixels.end(), rgb.constScanLine(y), rgb.constScanLine(y) + rgb.width() * 3);
        const auto out = pae::models::clipPreprocessImage(image, 32);
        QCOMPARE(out.sizes().vec(), (std::vector<int64_t>{1, 3, 32, 32}));
        // PIL rounds its fixed-point filter sums; we round float sums: at most one 8-bit step apart.
        const auto std = torch::tensor({0.26862954, 0.26130258, 0.27577711}).view({3, 1, 1});
        const auto stepsOff = ((out[0] - toTensor(expected()["image_pil"])) * std * 255).abs();
        QVERIFY2(stepsOff.max().item<double>() < 1.001, qPrintable(QString::number(stepsOff.max().item<double>())));
        QVERIFY2(stepsOff.mean().item<double>() < 0.05, qPrintable(QString::number(stepsOff.mean().item<double>())));
    }

    void shouldBackpropagate_throughPreprocessingAndTheImageTower()
    {
        auto clip = pae::models::loadClip(kFixture, torch::kCPU);
        auto images = torch::rand({2, 3, 50, 50}).requires_grad_(true);
        const auto features = clip.model->encodeImage(pae::models::clipPreprocess(images, 32));
        features.pow(2).sum().backward();
        QVERIFY(images.grad().defined());
        QVERIFY(images.grad().abs().sum().item<double>() > 0);
    }
};

QTEST_GUILESS_MAIN(TestClip)
#include "tst_clip.moc"
