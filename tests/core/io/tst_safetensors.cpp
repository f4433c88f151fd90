#include "TestSupport.h"
#include "core/io/safetensors.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <QtTest/QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using pae::io::TensorMap;

namespace {

// A safetensors byte string assembled by hand, independent of our writer.
std::string file(const std::string& header, const std::string& data = {})
{
    std::string out(8, '\0');
    uint64_t len = header.size();
    for (int i = 0; i < 8; ++i)
        out[i] = static_cast<char>(len >> (8 * i));
    return out + header + data;
}

std::string parseError(const std::string& bytes)
{
    return pae::test::errorOf([&] {
        pae::io::parseSafetensors(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "test.safetensors");
    });
}

std::string readFile(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void writeFile(const fs::path& path, const std::string& bytes)
{
    std::ofstream(path, std::ios::binary) << bytes;
}

bool sameTensor(const torch::Tensor& a, const torch::Tensor& b)
{
    return a.scalar_type() == b.scalar_type() && a.sizes() == b.sizes() && torch::equal(a, b);
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldRoundTripEveryDtype_withMetadata()
    {
        QTemporaryDir dir;
        const fs::path path = fs::path(dir.path().toStdString()) / "all.safetensors";
        TensorMap tensors;
        tensors["f32"] = torch::tensor({1.5f, -2.25f, 3e38f});
        tensors["f16"] = torch::tensor({1.5f, -2.0f, 65504.0f}).to(torch::kFloat16);
        tensors["bf16"] = torch::tensor({1.5f, -2.0f, 3e38f}).to(torch::kBFloat16);
        tensors["f64"] = torch::tensor({0.1, -1e300}, torch::kFloat64);
        tensors["i64"] = torch::tensor({int64_t(1) << 40, -(int64_t(1) << 62)});
        tensors["i32"] = torch::tensor({-7, 2147483647}, torch::kInt32);
        tensors["i16"] = torch::tensor({-300, 300}, torch::kInt16);
        tensors["i8"] = torch::tensor({-128, 127}, torch::kInt8);
        tensors["u8"] = torch::tensor({0, 255}, torch::kUInt8);
        tensors["bool"] = torch::tensor({true, false, true});
        tensors["scalar"] = torch::tensor(3.25f);
        tensors["empty"] = torch::zeros({0, 4});
        tensors["grid"] = torch::arange(12, torch::kFloat32).reshape({3, 4});
        const std::map<std::string, std::string> metadata{{"format", "pt"}, {"note", "ü \"quoted\""}};
        pae::io::saveSafetensors(path, tensors, metadata);

        pae::io::SafetensorsFile f(path);
        QCOMPARE(f.names().size(), tensors.size());
        QCOMPARE(f.metadata(), metadata);
        QCOMPARE(QString::fromStdString(f.info("bf16").dtype), QString("BF16"));
        QCOMPARE(QString::fromStdString(f.info("bool").dtype), QString("BOOL"));
        QVERIFY(f.info("scalar").shape.empty());
        QCOMPARE(f.info("empty").shape, (std::vector<int64_t>{0, 4}));
        for (const auto& [name, tensor] : tensors)
            QVERIFY2(sameTensor(f.load(name), tensor), name.c_str());
        const TensorMap all = pae::io::loadSafetensors(path);
        QCOMPARE(all.size(), tensors.size());
        QVERIFY(sameTensor(all.at("i64"), tensors.at("i64")));
    }

    void shouldWriteContiguousCpuData_whenGivenAView()
    {
        QTemporaryDir dir;
        const fs::path path = fs::path(dir.path().toStdString()) / "view.safetensors";
        const torch::Tensor grid = torch::arange(6, torch::kFloat32).reshape({2, 3});
        pae::io::saveSafetensors(path, {{"t", grid.t()}, {"col", grid.select(1, 1)}});
        const TensorMap back = pae::io::loadSafetensors(path);
        QVERIFY(torch::equal(back.at("t"), grid.t()));
        QVERIFY(back.at("t").is_contiguous());
        QVERIFY(torch::equal(back.at("col"), torch::tensor({1.0f, 4.0f})));
    }

    void shouldPadTheHeaderWithSpaces_likeTheReferenceWriter()
    {
        QTemporaryDir dir;
        const fs::path path = fs::path(dir.path().toStdString()) / "pad.safetensors";
        pae::io::saveSafetensors(path, {{"abc", torch::ones({3}, torch::kUInt8)}});
        const std::string bytes = readFile(path);
        uint64_t len = 0;
        std::memcpy(&len, bytes.data(), 8);
        QCOMPARE(len % 8, uint64_t(0));
        QCOMPARE(bytes.size(), size_t(8 + len + 3));
        const std::string header = bytes.substr(8, len);
        QVERIFY(header.find("\"data_offsets\":[0,3]") != std::string::npos);
        QCOMPARE(header[header.find_last_not_of(' ')], '}');
    }

    void shouldReadAFileWrittenByHand()
    {
        // Two F32 tensors, the second before the first in the data section.
        float values[3] = {1.0f, 2.0f, 3.0f};
        std::string data(reinterpret_cast<const char*>(values), sizeof values);
        const std::string bytes = file(R"({"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                       R"("a":{"dtype":"F32","shape":[2,1],"data_offsets":[4,12]},)"
                                       R"("__metadata__":{"k":"v"}})",
                                       data);
        const TensorMap t = pae::io::parseSafetensors(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
        QVERIFY(torch::equal(t.at("b"), torch::tensor({1.0f})));
        QVERIFY(torch::equal(t.at("a"), torch::tensor({2.0f, 3.0f}).reshape({2, 1})));
    }

    void shouldRejectMalformedInput_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        auto row = [](const char* name, const std::string& bytes, const char* expected) {
            QTest::newRow(name) << QByteArray(bytes.data(), static_cast<int>(bytes.size())) << QString(expected);
        };
        const std::string eight(8, 'x');
        row("short file", "abc", "too short (3 bytes)");
        row("empty file", "", "too short (0 bytes)");
        row("header longer than file", file("{}").substr(0, 9), "header length 2 exceeds the file size (9 bytes)");
        std::string huge = file("{}");
        huge[7] = '\x7f';
        row("header length absurd", huge, "exceeds the file size");
        row("bad json", file("{\"a\": "), "not valid JSON");
        row("not an object", file("[1,2]"), "not a JSON object");
        row("entry not an object", file(R"({"x": 3})"), "tensor 'x': the header entry is not an object");
        row("unknown dtype", file(R"({"x":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}})", "a"),
            "tensor 'x': unsupported dtype 'F8'");
        row("missing dtype", file(R"({"x":{"shape":[1],"data_offsets":[0,4]}})", "abcd"),
            "tensor 'x': 'dtype' is missing");
        row("negative dim", file(R"({"x":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}})"),
            "tensor 'x': 'shape' holds -1");
        row("fractional dim", file(R"({"x":{"dtype":"U8","shape":[2.5],"data_offsets":[0,0]}})"),
            "tensor 'x': 'shape' holds 2.5");
        row("shape not array", file(R"({"x":{"dtype":"U8","shape":4,"data_offsets":[0,4]}})", "abcd"),
            "tensor 'x': 'shape' is missing or not an array");
        row("shape overflow",
            file(R"({"x":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", eight),
            "tensor 'x': the shape's byte size overflows");
        row("offsets out of range", file(R"({"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", eight),
            "tensor 'x': data_offsets [0,16] exceed the data section (8 bytes)");
        row("offsets reversed", file(R"({"x":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}})", eight),
            "tensor 'x': data_offsets [8,0] end before they begin");
        row("offsets negative", file(R"({"x":{"dtype":"U8","shape":[0],"data_offsets":[-1,0]}})"),
            "tensor 'x': 'data_offsets' is missing or not two non-negative integers");
        row("offsets three", file(R"({"x":{"dtype":"U8","shape":[0],"data_offsets":[0,0,0]}})"),
            "tensor 'x': 'data_offsets' is missing or not two");
        row("size mismatch", file(R"({"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", eight),
            "tensor 'x': data_offsets [0,8] hold 8 bytes, but F32 of this shape needs 12");
        row("overlap",
            file(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                 R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                 eight),
            "tensor 'b': data_offsets [4,8] overlap tensor 'a' [0,8]");
        row("gap", file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", eight),
            "tensor 'a': data_offsets [4,8] leave a gap of 4 unused bytes");
        row("trailing bytes", file(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", eight),
            "4 bytes after the last tensor");
        row("metadata value not a string", file(R"({"__metadata__":{"k":1}})"),
            "'__metadata__' value for 'k' is not a string");
        row("metadata not an object", file(R"({"__metadata__":"v"})"), "'__metadata__' is not an object");
        row("duplicate name",
            file(R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                 R"("a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}})",
                 "ab"),
            "the key 'a' twice");
        row("too deep", file(R"({"x":{"shape":[[[1]]]}})"), "nests deeper");
        row("bool not 0 or 1", file(R"({"x":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}})", "\x01\x02"),
            "tensor 'x': BOOL element 1 is 2");
    }

    void shouldRejectMalformedInput()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        const QString message = QString::fromStdString(parseError(bytes.toStdString()));
        QVERIFY2(message.startsWith("test.safetensors: "), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void shouldNameTheFile_whenAFileIsMalformedOrMissing()
    {
        QTemporaryDir dir;
        const fs::path path = fs::path(dir.path().toStdString()) / "model.safetensors";
        writeFile(path, file(R"({"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", std::string(8, 'x')));
        try {
            pae::io::SafetensorsFile f(path);
            QFAIL("no error for a malformed file");
        } catch (const pae::Error& e) {
            QCOMPARE(QString(e.what()), QString::fromStdString(path.string() +
                                                                ": tensor 'x': data_offsets [0,16] exceed the data "
                                                                "section (8 bytes)"));
        }
        try {
            pae::io::loadSafetensors(path.parent_path() / "absent.safetensors");
            QFAIL("no error for a missing file");
        } catch (const pae::Error& e) {
            QVERIFY(QString(e.what()).contains("absent.safetensors: cannot open"));
        }
    }

    void shouldRefuseUnknownName_whenLoadingOneTensor()
    {
        QTemporaryDir dir;
        const fs::path path = fs::path(dir.path().toStdString()) / "one.safetensors";
        pae::io::saveSafetensors(path, {{"w", torch::ones({2})}});
        pae::io::SafetensorsFile f(path);
        QVERIFY(f.contains("w"));
        QVERIFY(!f.contains("v"));
        try {
            f.load("v");
            QFAIL("no error for an unknown tensor");
        } catch (const pae::Error& e) {
            QVERIFY(QString(e.what()).contains("no tensor named 'v'"));
        }
    }

    void shouldReplaceAtomically_andLeaveNoTemporaryFiles()
    {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        const fs::path path = root / "w.safetensors";
        pae::io::saveSafetensors(path, {{"w", torch::ones({2})}});
        pae::io::saveSafetensors(path, {{"w", torch::zeros({3})}});
        QVERIFY(torch::equal(pae::io::loadSafetensors(path).at("w"), torch::zeros({3})));
        int files = 0;
        for ([[maybe_unused]] const auto& entry : fs::directory_iterator(root))
            ++files;
        QCOMPARE(files, 1);
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::io::saveSafetensors(root / "no" / "dir.safetensors",
                                                                      {{"w", torch::ones({1})}}));
    }

    void shouldRefuseToWrite_whatSafetensorsCannotHold()
    {
        QTemporaryDir dir;
        const fs::path path = fs::path(dir.path().toStdString()) / "bad.safetensors";
        try {
            pae::io::saveSafetensors(path, {{"c", torch::zeros({2}, torch::kComplexFloat)}});
            QFAIL("no error for a complex tensor");
        } catch (const pae::Error& e) {
            QVERIFY(QString(e.what()).contains("tensor 'c' has dtype ComplexFloat"));
        }
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::io::saveSafetensors(path, {{"__metadata__", torch::ones({1})}}));
        QVERIFY_THROWS_EXCEPTION(pae::Error, pae::io::saveSafetensors(path, {{"u", torch::Tensor()}}));
        QVERIFY(!fs::exists(path));
    }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
