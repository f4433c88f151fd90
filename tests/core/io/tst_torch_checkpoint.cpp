#include "TestSupport.h"
#include "core/io/restricted_pickle.h"
#include "core/io/torch_checkpoint.h"
#include "core/io/weights.h"
#include "core/util/error.h"

#include <torch/torch.h>

#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using pae::io::TensorMap;

using pae::test::errorOf;

namespace {

fs::path fixture(const std::string& name) { return fs::path(PAE_TEST_DATA_DIR) / "io" / name; }

bool same(const torch::Tensor& a, const torch::Tensor& b)
{
    return a.scalar_type() == b.scalar_type() && a.sizes() == b.sizes() && torch::equal(a, b);
}

std::vector<std::string> keysOf(const TensorMap& m)
{
    std::vector<std::string> keys;
    for (const auto& [k, v] : m)
        keys.push_back(k);
    return keys;
}

// Hand-written pickles for the VM's failure paths, opcode by opcode.
struct Pickle {
    std::string bytes = std::string("\x80\x02", 2);
    Pickle& op(char c)
    {
        bytes += c;
        return *this;
    }
    Pickle& str(const std::string& s) // BINUNICODE
    {
        bytes += 'X';
        for (int i = 0; i < 4; ++i)
            bytes += static_cast<char>(s.size() >> (8 * i));
        bytes += s;
        return *this;
    }
    Pickle& int1(uint8_t v)
    {
        bytes += 'K';
        bytes += static_cast<char>(v);
        return *this;
    }
    Pickle& global(const std::string& module, const std::string& name)
    {
        bytes += 'c' + module + '\n' + name + '\n';
        return *this;
    }
    Pickle& put(uint8_t i)
    {
        bytes += 'q';
        bytes += static_cast<char>(i);
        return *this;
    }
    Pickle& get(uint8_t i)
    {
        bytes += 'h';
        bytes += static_cast<char>(i);
        return *this;
    }
    // ('storage', torch.FloatStorage, key, 'cpu', numel) BINPERSID
    Pickle& storage(const std::string& key, uint8_t numel)
    {
        op('(').str("storage").global("torch", "FloatStorage").str(key).str("cpu").int1(numel).op('t');
        return op('Q');
    }
};

// Storages for hand-written pickles: arange(numel) as float32.
torch::Tensor fakeStorage(const std::string&, torch::ScalarType dtype, int64_t numel)
{
    return torch::arange(numel, torch::TensorOptions().dtype(dtype));
}

TensorMap unpickle(const Pickle& p)
{
    return pae::io::detail::unpickleStateDict(reinterpret_cast<const uint8_t*>(p.bytes.data()), p.bytes.size(),
                                              "test.pt", fakeStorage);
}

std::string readBytes(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TensorMap parse(const std::string& bytes, const std::string& name = "mem.pt")
{
    return pae::io::parseTorchCheckpoint(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), name);
}

void requireSame(const TensorMap& actual, const TensorMap& expected)
{
    QCOMPARE(keysOf(actual), keysOf(expected));
    for (const auto& [k, v] : expected)
        QVERIFY2(same(actual.at(k), v), k.c_str());
}

} // namespace

class TestTorchCheckpoint : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void shouldReadPlainDict_andDropNonTensorLeaves()
    {
        const TensorMap m = pae::io::loadTorchCheckpoint(fixture("plain.pt"));
        QCOMPARE(keysOf(m), (std::vector<std::string>{"a", "b"}));
        QVERIFY(same(m.at("a"), torch::arange(6, torch::kFloat32).reshape({2, 3})));
        QVERIFY(same(m.at("b"), torch::tensor({int64_t(1), int64_t(-2), int64_t(3)})));
    }

    void shouldReadModuleStateDict_asOrderedDictWithMetadata()
    {
        const TensorMap m = pae::io::loadTorchCheckpoint(fixture("ordered.pt"));
        QCOMPARE(keysOf(m), (std::vector<std::string>{"0.bias", "0.weight", "1.bias", "1.num_batches_tracked",
                                                      "1.running_mean", "1.running_var", "1.weight"}));
        QVERIFY(same(m.at("0.weight"), torch::arange(6, torch::kFloat32).reshape({2, 3}) * 0.5));
        QVERIFY(same(m.at("0.bias"), torch::tensor({-1.0f, 1.0f})));
        QVERIFY(same(m.at("1.weight"), torch::tensor({2.0f, 2.0f})));
        QVERIFY(same(m.at("1.bias"), torch::tensor({0.25f, 0.25f})));
        QVERIFY(same(m.at("1.running_mean"), torch::tensor({0.5f, -0.5f})));
        QVERIFY(same(m.at("1.running_var"), torch::tensor({4.0f, 8.0f})));
        QVERIFY(same(m.at("1.num_batches_tracked"), torch::tensor(int64_t(7))));
    }

    void shouldFlattenNestedDictsAndLists_withDots()
    {
        const TensorMap m = pae::io::loadTorchCheckpoint(fixture("nested.pt"));
        QCOMPARE(m.size(), size_t(7 + 1 + 2));
        QVERIFY(same(m.at("g_ema.0.weight"), torch::arange(6, torch::kFloat32).reshape({2, 3}) * 0.5));
        QVERIFY(same(m.at("g_ema.1.num_batches_tracked"), torch::tensor(int64_t(7))));
        QVERIFY(same(m.at("latent_avg"), torch::tensor({0.125f, -0.25f, 4.0f})));
        QVERIFY(same(m.at("noises.0"), torch::zeros({1, 1, 2, 2})));
        QVERIFY(same(m.at("noises.1"), torch::ones({1, 1, 2, 2})));
    }

    void shouldReadEveryStorageType_exactly()
    {
        const TensorMap m = pae::io::loadTorchCheckpoint(fixture("dtypes.pt"));
        QCOMPARE(m.size(), size_t(11));
        QVERIFY(same(m.at("f16"), torch::tensor({1.5f, -2.0f, 65504.0f}).to(torch::kFloat16)));
        QVERIFY(same(m.at("bf16"), torch::tensor({1.5f, -2.0f, 3.0e38f}).to(torch::kBFloat16)));
        QVERIFY(same(m.at("f64"), torch::tensor({0.1, -1e300}, torch::kFloat64)));
        QVERIFY(same(m.at("i64"), torch::tensor({int64_t(1) << 40, -(int64_t(1) << 62)})));
        QVERIFY(same(m.at("i32"), torch::tensor({-7, 2147483647}, torch::kInt32)));
        QVERIFY(same(m.at("i16"), torch::tensor({-300, 300}, torch::kInt16)));
        QVERIFY(same(m.at("i8"), torch::tensor({-128, 127}, torch::kInt8)));
        QVERIFY(same(m.at("u8"), torch::tensor({0, 255}, torch::kUInt8)));
        QVERIFY(same(m.at("bool"), torch::tensor({true, false, true})));
        QVERIFY(same(m.at("scalar"), torch::tensor(3.25f)));
        QVERIFY(same(m.at("empty"), torch::zeros({0, 4})));
    }

    void shouldRebuildViewsOfOneSharedStorage()
    {
        const TensorMap m = pae::io::loadTorchCheckpoint(fixture("views.pt"));
        const torch::Tensor base = torch::arange(12, torch::kFloat32);
        QVERIFY(same(m.at("base"), base));
        QVERIFY(same(m.at("row"), torch::tensor({4.0f, 5.0f, 6.0f, 7.0f})));
        QVERIFY(same(m.at("col"), torch::tensor({2.0f, 6.0f, 10.0f})));
        QVERIFY(same(m.at("transposed"), base.reshape({3, 4}).t()));
        QVERIFY(same(m.at("expanded"), torch::arange(3, torch::kFloat32).expand({2, 3})));
        // A small view must not keep the whole shared storage alive.
        QCOMPARE(m.at("row").storage().nbytes(), size_t(4 * sizeof(float)));
    }

    void shouldReadParameters_bareTensors_andProtocol4()
    {
        QVERIFY(same(pae::io::loadTorchCheckpoint(fixture("parameter.pt")).at("p"), torch::tensor({1.0f, 2.0f})));
        const TensorMap bare = pae::io::loadTorchCheckpoint(fixture("bare_tensor.pt"));
        QCOMPARE(keysOf(bare), (std::vector<std::string>{""}));
        QVERIFY(same(bare.at(""), torch::tensor({1.0f, 2.0f}).reshape({1, 2})));
        QVERIFY(same(pae::io::loadTorchCheckpoint(fixture("protocol4.pt")).at("w"), torch::tensor({1.0f, 2.0f, 3.0f})));
    }

    void shouldReadFromMemory_likeFromAFile()
    {
        std::ifstream in(fixture("nested.pt"), std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const TensorMap m =
            pae::io::parseTorchCheckpoint(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "mem.pt");
        const TensorMap f = pae::io::loadTorchCheckpoint(fixture("nested.pt"));
        QCOMPARE(keysOf(m), keysOf(f));
        for (const auto& [k, v] : f)
            QVERIFY2(same(m.at(k), v), k.c_str());
        // Cut in half: the zip directory at the end is gone.
        const QString half = QString::fromStdString(errorOf([&] {
            pae::io::parseTorchCheckpoint(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size() / 2, "half.pt");
        }));
        QVERIFY2(half.startsWith("half.pt: not a PyTorch checkpoint"), qPrintable(half));
    }

    void shouldRefuseForeignGlobals_byName_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("global");
        QTest::newRow("argparse") << "malicious_namespace.pt" << "argparse.Namespace";
        QTest::newRow("os.system") << "malicious_os_system.pt" << "os.system";
        QTest::newRow("legacy argparse") << "legacy_namespace.pt" << "argparse.Namespace";
    }

    void shouldRefuseForeignGlobals_byName()
    {
        QFETCH(QString, file);
        QFETCH(QString, global);
        const fs::path path = fixture(file.toStdString());
        const QString message = QString::fromStdString(errorOf([&] { pae::io::loadTorchCheckpoint(path); }));
        QCOMPARE(message, QString::fromStdString(path.string()) +
                              ": refusing to load: the checkpoint references the Python global '" + global +
                              "'; only state dicts of tensors can be read");
    }

    void shouldRefuseGlobals_writtenEitherWay()
    {
        Pickle viaGlobal;
        viaGlobal.global("__builtin__", "getattr").op('.');
        QVERIFY(QString::fromStdString(errorOf([&] { unpickle(viaGlobal); })).contains("'__builtin__.getattr'"));
        Pickle viaStack;
        viaStack.str("builtins").str("eval").op('\x93').op('.');
        QVERIFY(QString::fromStdString(errorOf([&] { unpickle(viaStack); })).contains("'builtins.eval'"));
    }

    void shouldCheckTheByteOrder()
    {
        QVERIFY(same(pae::io::loadTorchCheckpoint(fixture("byteorder_little.pt")).at("a"),
                     torch::arange(6, torch::kFloat32).reshape({2, 3})));
        QVERIFY(QString::fromStdString(errorOf([] { pae::io::loadTorchCheckpoint(fixture("byteorder_big.pt")); }))
                    .contains("big-endian"));
    }

    void shouldExplainUnsupportedFiles()
    {
        std::string tar(512, '\0');
        tar.replace(0, 8, "storages");
        tar.replace(257, 6, std::string("ustar\0", 6));
        QVERIFY(QString::fromStdString(errorOf([&] { parse(tar, "old.pt"); }))
                    .startsWith("old.pt: this is the tar checkpoint format of PyTorch's first releases"));
        const QString notZip = QString::fromStdString(
            errorOf([] { pae::io::loadTorchCheckpoint(fixture("make_pt_fixtures.py")); }));
        QVERIFY2(notZip.contains("make_pt_fixtures.py: not a PyTorch checkpoint"), qPrintable(notZip));
        QVERIFY(QString::fromStdString(errorOf([] { pae::io::loadTorchCheckpoint(fixture("absent.pt")); }))
                    .contains("absent.pt: cannot open"));
        QVERIFY(QString::fromStdString(errorOf([] { pae::io::loadWeights(fixture("make_pt_fixtures.py")); }))
                    .contains("unknown weights format '.py'"));
    }

    void shouldDispatchByExtension()
    {
        QVERIFY(same(pae::io::loadWeights(fixture("plain.pt")).at("b"),
                     torch::tensor({int64_t(1), int64_t(-2), int64_t(3)})));
    }

    void shouldRejectMalformedPickles_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        auto row = [](const char* name, const Pickle& p, const char* expected) {
            QTest::newRow(name) << QByteArray(p.bytes.data(), static_cast<int>(p.bytes.size())) << QString(expected);
        };
        row("stack underflow", Pickle().op('}').op('s').op('.'), "at byte 3: stack underflow");
        row("pop below mark", Pickle().int1(1).op('(').op('\x85').op('.'), "stack underflow");
        row("memo miss", Pickle().get(5).op('.'), "memo entry 5 is used before it is stored");
        row("no stop", Pickle().op('}'), "ends in the middle of an instruction");
        row("truncated string", Pickle().op('X').op('\x10'), "needs 4 more bytes, has 1");
        row("unknown opcode", Pickle().op('I'), "unsupported pickle opcode 0x49");
        row("two values at stop", Pickle().op('}').op('}').op('.'), "stops with 2 values");
        row("setitem on list", Pickle().op(']').int1(1).int1(2).op('s').op('.'), "SETITEM on something other");
        row("view past storage",
            Pickle().op('}').str("w").global("torch._utils", "_rebuild_tensor_v2").op('(').storage("0", 4).int1(2)
                .int1(3).op('\x85').int1(1).op('\x85').op('\x89').op('}').op('t').op('R').op('s').op('.'),
            "tensor of size [3], stride [1] at offset 2 in storage '0' of 4 elements: the view reaches past the end");
        row("negative stride",
            Pickle().op('}').str("w").global("torch._utils", "_rebuild_tensor_v2").op('(').storage("0", 4).int1(0)
                .int1(2).op('\x85').op('\x8a').op('\x01').op('\xff').op('\x85').op('\x89').op('}').op('t').op('R')
                .op('s').op('.'),
            "negative size or stride");
        row("storage retyped",
            Pickle().storage("0", 4).op('0').op('(').str("storage").global("torch", "HalfStorage").str("0").str("cpu")
                .int1(4).op('t').op('Q').op('.'),
            "storage '0' is referenced with two different types or sizes");
        row("persid not storage", Pickle().str("x").op('Q').op('.'), "persistent id that is not");
        row("storage size too large",
            Pickle().op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").op('\x8a').op('\x09')
                .op('\0').op('\0').op('\0').op('\0').op('\0').op('\0').op('\0').op('\0').op('\x01').op('t').op('Q')
                .op('.'),
            "the storage size is too large");
        auto view = [](const char* viewKey, uint8_t offset, uint8_t numel) {
            Pickle p;
            p.op('(').str("storage").global("torch", "FloatStorage").str("0").str("cpu").int1(4);
            p.op('(').str(viewKey).int1(offset).int1(numel).op('t').op('t').op('Q');
            return p;
        };
        row("view outside storage", view("v", 3, 2).op('.'),
            "storage view 'v' of 2 elements at offset 3 lies outside storage '0' of 4 elements");
        row("view key is a storage key", view("0", 0, 2).op('.'), "the key '0' names both a storage and a storage view");
        {
            Pickle p = view("v", 0, 2);
            p.op('0');
            Pickle second = view("v", 1, 2);
            p.bytes += second.bytes.substr(2);
            row("view redefined", p.op('.'), "storage view 'v' is referenced with two different extents");
        }
        {
            // A tensor is checked against its storage view, not the whole storage.
            Pickle p;
            p.op('}').str("w").global("torch._utils", "_rebuild_tensor_v2").op('(');
            p.bytes += view("v", 1, 2).bytes.substr(2);
            p.int1(1).int1(2).op('\x85').int1(1).op('\x85').op('\x89').op('}').op('t').op('R').op('s').op('.');
            row("tensor past view", p,
                "tensor of size [2], stride [1] at offset 1 in storage 'v' of 2 elements: the view reaches past the end");
        }
        row("reduce on storage type",
            Pickle().global("torch", "FloatStorage").op(')').op('R').op('.'), "torch.FloatStorage cannot be called");
        // l = []; l.append(l): a cycle that flattening must not follow forever.
        row("cycle", Pickle().op(']').put(0).get(0).op('a').op('.'), "nests deeper than 100 levels");
        // d_k = [d_{k-1}, d_{k-1}] for 40 levels: 2^40 paths through a few dozen objects.
        // POP keeps one list on the stack; the memo keeps the rest reachable.
        Pickle dagOne;
        dagOne.op(']').put(0);
        for (int i = 1; i <= 40; ++i)
            dagOne.op('0').op(']').put(static_cast<uint8_t>(i)).get(static_cast<uint8_t>(i - 1)).op('a').get(static_cast<uint8_t>(i - 1)).op('a');
        dagOne.op('.');
        row("shared blowup", dagOne, "refers to the same objects too many times");
        // One 100 kB key, memoized and reused for 100 entries: 10 MB of names from 100 kB.
        Pickle longKeys;
        longKeys.op('}').str(std::string(100000, 'k')).put(0).int1(0).op('s');
        for (int i = 0; i < 99; ++i)
            longKeys.get(0).int1(0).op('s');
        longKeys.op('.');
        row("string blowup", longKeys, "refers to its strings too many times");
    }

    void shouldRejectMalformedPickles()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        Pickle p;
        p.bytes = bytes.toStdString();
        const QString message = QString::fromStdString(errorOf([&] { unpickle(p); }));
        QVERIFY2(message.startsWith("test.pt: "), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void shouldReadLegacyFormat_likeTheZipCopyOfTheSameObject()
    {
        const TensorMap legacy = pae::io::loadTorchCheckpoint(fixture("legacy_state.pt"));
        const TensorMap zip = pae::io::loadTorchCheckpoint(fixture("legacy_state_zip.pt"));
        // g_ema 8, latent_avg 1, noises 2, dtypes 11, shared 5; numbers and strings dropped.
        QCOMPARE(legacy.size(), size_t(27));
        requireSame(legacy, zip);
        QVERIFY(same(legacy.at("latent_avg"), torch::arange(8, torch::kFloat32) / 8));
        QVERIFY(same(legacy.at("g_ema.1.num_batches_tracked"), torch::tensor(int64_t(11))));
        QCOMPARE(legacy.at("g_ema.noise_0").sizes().vec(), (std::vector<int64_t>{1, 1, 4, 4}));
        QVERIFY(same(legacy.at("dtypes.bf16"), torch::tensor({1.5f, -2.0f, 3.0e38f}).to(torch::kBFloat16)));
        QVERIFY(same(legacy.at("dtypes.i64"), torch::tensor({int64_t(1) << 40, -(int64_t(1) << 62)})));
        QVERIFY(same(legacy.at("dtypes.bool"), torch::tensor({true, false, true})));
        QVERIFY(same(legacy.at("dtypes.empty"), torch::zeros({0, 4})));
        // The legacy format writes the storage of shared.* once; each tensor is a view of it.
        const torch::Tensor base = torch::arange(12, torch::kFloat32);
        QVERIFY(same(legacy.at("shared.col"), torch::tensor({2.0f, 6.0f, 10.0f})));
        QVERIFY(same(legacy.at("shared.transposed"), base.reshape({3, 4}).t()));
        QVERIFY(same(legacy.at("shared.expanded"), torch::arange(3, torch::kFloat32).expand({2, 3})));
        QCOMPARE(legacy.at("shared.row").storage().nbytes(), size_t(4 * sizeof(float)));
    }

    void shouldReadLegacyStyleGan2_likeItsZipOriginal()
    {
        const TensorMap legacy = pae::io::loadWeights(fixture("legacy_tiny_stylegan2.pt"));
        const TensorMap zip = pae::io::loadWeights(fs::path(PAE_TEST_DATA_DIR) / "tiny-stylegan2" / "generator.pt");
        QVERIFY(legacy.size() > 20);
        QVERIFY(legacy.count("latent_avg"));
        requireSame(legacy, zip);
    }

    void shouldReadLegacyFromMemory_likeFromAFile()
    {
        requireSame(parse(readBytes(fixture("legacy_state.pt"))), pae::io::loadTorchCheckpoint(fixture("legacy_state.pt")));
        const TensorMap bare = pae::io::loadTorchCheckpoint(fixture("legacy_bare_tensor.pt"));
        QCOMPARE(keysOf(bare), (std::vector<std::string>{""}));
        QVERIFY(same(bare.at(""), torch::tensor({1.0f, 2.0f}).reshape({1, 2})));
        QVERIFY(same(pae::io::loadWeights(fixture("legacy_small.pt")).at("g_ema.w"), torch::tensor({1.0f, 2.0f, 3.0f})));
    }

    // Values checked by torch.load when the fixture was written.
    void shouldReadLegacyStorageViews()
    {
        const TensorMap m = pae::io::loadTorchCheckpoint(fixture("legacy_storage_views.pt"));
        QVERIFY(same(m.at("root"), torch::arange(10, torch::kFloat32)));
        QVERIFY(same(m.at("first"), torch::tensor({2.0f, 3.0f, 4.0f, 5.0f}).reshape({2, 2})));
        QVERIFY(same(m.at("first_t"), torch::tensor({2.0f, 4.0f, 3.0f, 5.0f}).reshape({2, 2})));
        QVERIFY(same(m.at("second"), torch::tensor({7.0f, 8.0f})));
    }

    void shouldRejectMalformedLegacyFiles_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        QTest::newRow("truncated") << "legacy_truncated.pt" << ": the file ends inside storage '";
        QTest::newRow("bad magic") << "legacy_bad_magic.pt"
                                   << ": not a PyTorch checkpoint: the file is a pickle, but it does not start "
                                      "with the magic number of PyTorch's legacy format (found a 80-bit integer)";
        QTest::newRow("count mismatch") << "legacy_count_mismatch.pt" << "(1 of 2) holds ";
        QTest::newRow("missing key") << "legacy_missing_key.pt" << ": the storage key list has 1 keys but not '";
        QTest::newRow("big-endian") << "legacy_big_endian.pt"
                                    << ": the checkpoint was written on a big-endian machine, which is not supported";
    }

    void shouldRejectMalformedLegacyFiles()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        const fs::path path = fixture(file.toStdString());
        const QString message = QString::fromStdString(errorOf([&] { pae::io::loadTorchCheckpoint(path); }));
        QVERIFY2(message.startsWith(QString::fromStdString(path.string()) + ": "), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void shouldRejectLegacyRecords_thatTorchWouldNotWrite()
    {
        const std::string good = readBytes(fixture("legacy_small.pt"));
        QCOMPARE(parse(good).size(), size_t(2));

        std::string trailing = good + '\0';
        QVERIFY(QString::fromStdString(errorOf([&] { parse(trailing); }))
                    .startsWith("mem.pt: 1 bytes follow the last storage"));
        // The second pickle is PROTO 2, BININT2 1001 (0x03e9), STOP.
        std::string version = good;
        QCOMPARE(version.substr(15, 6), std::string("\x80\x02M\xe9\x03.", 6));
        version[18] = '\xe8';
        QCOMPARE(QString::fromStdString(errorOf([&] { parse(version); })),
                 QString("mem.pt: legacy checkpoint format version 1000 is not supported (PyTorch writes 1001)"));
        QVERIFY(QString::fromStdString(errorOf([] { parse(std::string("\x80\x02N.", 4)); }))
                    .contains("does not start with the magic number of PyTorch's legacy format (found None)"));
        QCOMPARE(QString::fromStdString(errorOf([&] { parse(good.substr(0, 15)); })),
                 QString("mem.pt: the file ends before the format version"));
    }

    // Every prefix of a legacy file is malformed, and every byte can be corrupted: the
    // reader must answer each with a pae::Error (or, where only storage bytes changed,
    // tensors), never a crash or another exception.
    void shouldSurviveEveryTruncationAndCorruption_ofALegacyFile_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("small") << "legacy_small.pt";
        QTest::newRow("storage views") << "legacy_storage_views.pt";
    }

    void shouldSurviveEveryTruncationAndCorruption_ofALegacyFile()
    {
        QFETCH(QString, file);
        const std::string bytes = readBytes(fixture(file.toStdString()));
        QVERIFY(!parse(bytes).empty());
        for (size_t n = 0; n < bytes.size(); ++n) {
            const std::string message = errorOf([&] { parse(bytes.substr(0, n)); });
            QVERIFY2(message.rfind("mem.pt", 0) == 0, (std::to_string(n) + ": " + message).c_str());
        }
        size_t refused = 0;
        for (size_t i = 0; i < bytes.size(); ++i) {
            for (const uint8_t mask : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xff)}) {
                std::string corrupt = bytes;
                corrupt[i] = static_cast<char>(static_cast<uint8_t>(corrupt[i]) ^ mask);
                try {
                    parse(corrupt);
                } catch (const pae::Error&) {
                    ++refused;
                }
            }
        }
        QVERIFY(refused > bytes.size());
    }

    void shouldReadPlainData_largeIntegersAndPython2Strings()
    {
        // Python 2 wrote str as SHORT_BINSTRING / BINSTRING; torch.load reads them as text.
        const std::string py2("\x80\x02]("
                              "U\x03"
                              "abc"
                              "T\x02\x00\x00\x00"
                              "de"
                              "e.",
                              18);
        const pae::io::detail::PlainValue strings =
            pae::io::detail::Pickle(reinterpret_cast<const uint8_t*>(py2.data()), py2.size(), "m.pt").plain();
        QCOMPARE(int(strings.kind), int(pae::io::detail::PlainValue::Kind::List));
        QCOMPARE(strings.items.size(), size_t(2));
        QCOMPARE(int(strings.items[1].kind), int(pae::io::detail::PlainValue::Kind::String));
        QCOMPARE(strings.items[0].text + strings.items[1].text, std::string("abcde"));

        // PROTO 2, LONG1 of 10 bytes (torch's magic number), STOP, then bytes of the next record.
        const std::string bytes("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19.\x80", 16);
        pae::io::detail::Pickle p(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "m.pt");
        QCOMPARE(p.end(), size_t(15));
        const pae::io::detail::PlainValue v = p.plain();
        QCOMPARE(int(v.kind), int(pae::io::detail::PlainValue::Kind::LargeInt));
        QCOMPARE(v.text, bytes.substr(4, 10));
        // A redundant sign byte does not make a number large: -1 in 9 bytes is still -1.
        const std::string minusOne("\x80\x02\x8a\x09\xff\xff\xff\xff\xff\xff\xff\xff\xff.", 14);
        const pae::io::detail::PlainValue m =
            pae::io::detail::Pickle(reinterpret_cast<const uint8_t*>(minusOne.data()), minusOne.size(), "m.pt").plain();
        QCOMPARE(int(m.kind), int(pae::io::detail::PlainValue::Kind::Int));
        QCOMPARE(m.integer, int64_t(-1));
        const QString tensorAsPlain = QString::fromStdString(errorOf([] {
            Pickle q;
            q.storage("0", 2).op('.');
            pae::io::detail::Pickle(reinterpret_cast<const uint8_t*>(q.bytes.data()), q.bytes.size(), "m.pt").plain();
        }));
        QCOMPARE(tensorAsPlain, QString("m.pt: expected plain data, found a storage"));
    }

    void shouldCheckStorageRecordSizes()
    {
        const QString message =
            QString::fromStdString(errorOf([] { pae::io::loadTorchCheckpoint(fixture("truncated_storage.pt")); }));
        QVERIFY2(message.contains("storage '0' should hold 6 elements of Float but its record has 8 bytes"),
                 qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TestTorchCheckpoint)
#include "tst_torch_checkpoint.moc"
