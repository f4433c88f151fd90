#include "core/io/restricted_pickle.h"

#include "core/util/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

namespace pae::io::detail {
namespace {

enum class Kind { None, Bool, Int, LargeInt, Float, String, Bytes, Tuple, List, Dict, Global, Storage, Tensor };

enum class GlobalKind { OrderedDict, RebuildTensorV2, RebuildTensor, RebuildParameter, StorageType, Dtype };

struct Value {
    Kind kind = Kind::None;
    bool boolean = false;
    int64_t integer = 0; // Int; the element count of a Storage; the storage offset of a Tensor
    double real = 0;
    // String, Bytes, the bytes of a LargeInt, the dotted name of a Global, the key of a Storage
    std::string text;
    std::vector<Value*> items; // Tuple, List
    std::vector<std::pair<Value*, Value*>> entries; // Dict, in insertion order
    GlobalKind global = GlobalKind::OrderedDict;
    torch::ScalarType dtype = torch::kFloat32; // StorageType and Dtype globals, Storage
    // A Storage that is a view: the storage it lies in, from element viewOffset on.
    // A Tensor: the storage it is rebuilt from.
    Value* base = nullptr;
    int64_t viewOffset = 0;
    std::vector<int64_t> sizes, strides; // Tensor
    torch::Tensor tensor; // once loaded: a root Storage (1-D) or a Tensor
};

struct AllowedGlobal {
    const char* name;
    GlobalKind kind;
    torch::ScalarType dtype;
};

// Everything a state dict written by torch.save can reference. Nothing here executes
// code: each entry is interpreted by this file, never looked up anywhere else.
const AllowedGlobal kAllowedGlobals[] = {
    {"collections.OrderedDict", GlobalKind::OrderedDict, torch::kFloat32},
    {"torch._utils._rebuild_tensor_v2", GlobalKind::RebuildTensorV2, torch::kFloat32},
    {"torch._utils._rebuild_tensor", GlobalKind::RebuildTensor, torch::kFloat32},
    {"torch._utils._rebuild_parameter", GlobalKind::RebuildParameter, torch::kFloat32},
    {"torch._utils._rebuild_parameter_with_state", GlobalKind::RebuildParameter, torch::kFloat32},
    {"torch.FloatStorage", GlobalKind::StorageType, torch::kFloat32},
    {"torch.HalfStorage", GlobalKind::StorageType, torch::kFloat16},
    {"torch.BFloat16Storage", GlobalKind::StorageType, torch::kBFloat16},
    {"torch.DoubleStorage", GlobalKind::StorageType, torch::kFloat64},
    {"torch.LongStorage", GlobalKind::StorageType, torch::kInt64},
    {"torch.IntStorage", GlobalKind::StorageType, torch::kInt32},
    {"torch.ShortStorage", GlobalKind::StorageType, torch::kInt16},
    {"torch.CharStorage", GlobalKind::StorageType, torch::kInt8},
    {"torch.ByteStorage", GlobalKind::StorageType, torch::kUInt8},
    {"torch.BoolStorage", GlobalKind::StorageType, torch::kBool},
    {"torch.float32", GlobalKind::Dtype, torch::kFloat32},
    {"torch.float", GlobalKind::Dtype, torch::kFloat32},
    {"torch.float16", GlobalKind::Dtype, torch::kFloat16},
    {"torch.half", GlobalKind::Dtype, torch::kFloat16},
    {"torch.bfloat16", GlobalKind::Dtype, torch::kBFloat16},
    {"torch.float64", GlobalKind::Dtype, torch::kFloat64},
    {"torch.double", GlobalKind::Dtype, torch::kFloat64},
    {"torch.int64", GlobalKind::Dtype, torch::kInt64},
    {"torch.long", GlobalKind::Dtype, torch::kInt64},
    {"torch.int32", GlobalKind::Dtype, torch::kInt32},
    {"torch.int", GlobalKind::Dtype, torch::kInt32},
    {"torch.int16", GlobalKind::Dtype, torch::kInt16},
    {"torch.short", GlobalKind::Dtype, torch::kInt16},
    {"torch.int8", GlobalKind::Dtype, torch::kInt8},
    {"torch.uint8", GlobalKind::Dtype, torch::kUInt8},
    {"torch.bool", GlobalKind::Dtype, torch::kBool},
};

// Deeper nesting than this is no state dict; the limit also bounds recursion.
constexpr int kMaxDepth = 100;

bool isContiguous(const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides)
{
    int64_t expected = 1;
    for (size_t i = sizes.size(); i-- > 0;) {
        if (sizes[i] != 1 && strides[i] != expected)
            return false;
        expected *= sizes[i];
    }
    return true;
}

bool overlaps(const std::vector<int64_t>& sizes, const std::vector<int64_t>& strides)
{
    std::vector<std::pair<int64_t, int64_t>> dims; // (stride, size) of dims that move
    for (size_t i = 0; i < sizes.size(); ++i) {
        if (sizes[i] == 0)
            return false;
        if (sizes[i] > 1)
            dims.emplace_back(strides[i], sizes[i]);
    }
    std::sort(dims.begin(), dims.end());
    int64_t reach = 0; // span covered by the faster dims; the bounds check rules out overflow
    for (const auto& [stride, size] : dims) {
        if (stride <= reach)
            return true;
        reach += (size - 1) * stride;
    }
    return false;
}

bool holdsContainerOrTensor(const Value* v)
{
    return v->kind == Kind::Dict || v->kind == Kind::List || v->kind == Kind::Tuple || v->kind == Kind::Tensor;
}

} // namespace

class Pickle::Unpickler {
public:
    Unpickler(const uint8_t* data, size_t size, std::string source)
        : data_(data), size_(size), source_(std::move(source))
    {
        root_ = run();
    }

    size_t end() const { return end_; }
    const std::vector<StorageRef>& storages() const { return refs_; }

    PlainValue plain()
    {
        visits_ = 0;
        copied_ = 0;
        return toPlain(root_, 0);
    }

    TensorMap tensors(const StorageLoader& loadStorage)
    {
        // The whole structure is checked before the first storage byte is read.
        visits_ = 0;
        copied_ = 0;
        std::map<std::string, Value*> leaves;
        flatten(root_, "", leaves, 0);
        for (Value* storage : roots_)
            storage->tensor = load(storage, loadStorage);
        TensorMap out;
        for (const auto& [name, value] : leaves)
            out.emplace(name, build(value));
        return out;
    }

private:
    Value* run()
    {
        while (true) {
            opStart_ = pos_;
            const uint8_t op = readByte();
            switch (op) {
            case 0x80: { // PROTO
                const uint8_t proto = readByte();
                if (proto > 5)
                    fail("pickle protocol " + std::to_string(proto) + " is newer than any Python writes");
                break;
            }
            case 0x95: // FRAME: a length hint only
                readBytes(8);
                break;
            case '.': // STOP
                if (stack_.size() != 1 || !marks_.empty())
                    fail("the pickle stops with " + std::to_string(stack_.size()) + " values on the stack");
                end_ = pos_;
                return stack_.back();
            case '}': push(make(Kind::Dict)); break;
            case ']': push(make(Kind::List)); break;
            case ')': push(make(Kind::Tuple)); break;
            case '(': marks_.push_back(stack_.size()); break;
            case 't': {
                Value* tuple = make(Kind::Tuple);
                tuple->items = popToMark();
                push(tuple);
                break;
            }
            case 0x85: // TUPLE1
            case 0x86: // TUPLE2
            case 0x87: { // TUPLE3
                const size_t n = op - 0x84;
                requireStack(n);
                Value* tuple = make(Kind::Tuple);
                tuple->items.assign(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
                stack_.resize(stack_.size() - n);
                push(tuple);
                break;
            }
            case 'X': pushText(Kind::String, readUnsigned(4)); break; // BINUNICODE
            case 0x8c: pushText(Kind::String, readUnsigned(1)); break; // SHORT_BINUNICODE
            case 0x8d: pushText(Kind::String, readUnsigned(8)); break; // BINUNICODE8
            case 'B': pushText(Kind::Bytes, readUnsigned(4)); break; // BINBYTES
            case 'C': pushText(Kind::Bytes, readUnsigned(1)); break; // SHORT_BINBYTES
            // Python 2 str; torch.load decodes it as UTF-8, so it is text here too.
            case 'T': pushText(Kind::String, readUnsigned(4)); break; // BINSTRING
            case 'U': pushText(Kind::String, readUnsigned(1)); break; // SHORT_BINSTRING
            case 'J': pushInt(static_cast<int32_t>(readUnsigned(4))); break; // BININT
            case 'K': pushInt(static_cast<int64_t>(readUnsigned(1))); break; // BININT1
            case 'M': pushInt(static_cast<int64_t>(readUnsigned(2))); break; // BININT2
            case 0x8a: pushLong(readUnsigned(1)); break; // LONG1
            case 0x8b: pushLong(readUnsigned(4)); break; // LONG4
            case 'G': { // BINFLOAT, big-endian
                uint64_t bits = 0;
                const uint8_t* p = readBytes(8);
                for (int i = 0; i < 8; ++i)
                    bits = (bits << 8) | p[i];
                Value* v = make(Kind::Float);
                std::memcpy(&v->real, &bits, sizeof bits);
                push(v);
                break;
            }
            case 0x88:
            case 0x89: { // NEWTRUE, NEWFALSE
                Value* v = make(Kind::Bool);
                v->boolean = op == 0x88;
                push(v);
                break;
            }
            case 'N': push(make(Kind::None)); break;
            case 'q': memo_[readUnsigned(1)] = top(); break; // BINPUT
            case 'r': memo_[readUnsigned(4)] = top(); break; // LONG_BINPUT
            case 0x94: { // MEMOIZE
                Value* v = top();
                const uint64_t index = memo_.size();
                memo_[index] = v;
                break;
            }
            case 'h': push(memoGet(readUnsigned(1))); break; // BINGET
            case 'j': push(memoGet(readUnsigned(4))); break; // LONG_BINGET
            case '0': pop(); break; // POP
            case '1': popToMark(); break; // POP_MARK
            case '2': push(top()); break; // DUP
            case 's': { // SETITEM
                requireStack(3);
                Value* value = pop();
                Value* key = pop();
                dictOf(top(), "SETITEM")->entries.emplace_back(key, value);
                break;
            }
            case 'u': { // SETITEMS
                std::vector<Value*> items = popToMark();
                if (items.size() % 2)
                    fail("SETITEMS with an odd number of values");
                Value* dict = dictOf(top(), "SETITEMS");
                for (size_t i = 0; i < items.size(); i += 2)
                    dict->entries.emplace_back(items[i], items[i + 1]);
                break;
            }
            case 'a': { // APPEND
                requireStack(2);
                Value* value = pop();
                listOf(top(), "APPEND")->items.push_back(value);
                break;
            }
            case 'e': { // APPENDS
                std::vector<Value*> items = popToMark();
                Value* list = listOf(top(), "APPENDS");
                list->items.insert(list->items.end(), items.begin(), items.end());
                break;
            }
            case 'c': { // GLOBAL "module\nname\n"
                const std::string module = readLine();
                const std::string name = readLine();
                push(makeGlobal(module, name));
                break;
            }
            case 0x93: { // STACK_GLOBAL
                requireStack(2);
                Value* name = pop();
                Value* module = pop();
                if (module->kind != Kind::String || name->kind != Kind::String)
                    fail("STACK_GLOBAL needs two strings");
                push(makeGlobal(module->text, name->text));
                break;
            }
            case 'R': { // REDUCE
                requireStack(2);
                Value* args = pop();
                Value* callable = pop();
                push(call(callable, args));
                break;
            }
            case 0x81: { // NEWOBJ: cls.__new__(cls, *args), which we allow for OrderedDict only
                requireStack(2);
                Value* args = pop();
                Value* cls = pop();
                if (cls->kind != Kind::Global || cls->global != GlobalKind::OrderedDict)
                    fail("NEWOBJ is only understood for collections.OrderedDict");
                if (args->kind != Kind::Tuple)
                    fail("NEWOBJ needs a tuple of arguments");
                push(make(Kind::Dict));
                break;
            }
            case 'b': { // BUILD
                requireStack(2);
                pop(); // The state of an OrderedDict is its _metadata (module versions): not needed.
                Value* obj = top();
                if (obj->kind != Kind::Dict && obj->kind != Kind::Tensor)
                    fail("BUILD on something other than a dict or tensor");
                break;
            }
            case 'Q': { // BINPERSID
                requireStack(1);
                push(persistentLoad(pop()));
                break;
            }
            default: {
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02x", op);
                fail(std::string("unsupported pickle opcode ") + hex);
            }
            }
        }
    }

    void flatten(Value* v, const std::string& prefix, std::map<std::string, Value*>& out, int depth)
    {
        if (depth > kMaxDepth)
            fail("the checkpoint nests deeper than " + std::to_string(kMaxDepth) + " levels", false);
        // Shared sub-objects are legal in pickles; a file that shares them in layers would
        // otherwise make this walk exponential.
        if (++visits_ > 16 * arena_.size() + 1024)
            fail("the checkpoint refers to the same objects too many times", false);
        auto child = [&](const std::string& key) {
            charge(prefix.size() + 1 + key.size());
            return prefix.empty() ? key : prefix + "." + key;
        };
        switch (v->kind) {
        case Kind::Tensor:
            if (!out.emplace(prefix, v).second)
                fail("the tensor name '" + prefix + "' occurs twice after flattening", false);
            break;
        case Kind::Dict: {
            // A later SETITEM of the same key replaces the earlier one, as in Python.
            std::vector<std::pair<std::string, Value*>> unique;
            std::unordered_map<std::string, size_t> position;
            for (const auto& [key, value] : v->entries) {
                std::string name;
                if (key->kind == Kind::String) {
                    charge(key->text.size());
                    name = key->text;
                } else if (key->kind == Kind::Int) {
                    name = std::to_string(key->integer);
                } else if (holdsContainerOrTensor(value)) {
                    fail("a dict under '" + prefix + "' has a key that is neither a string nor an integer", false);
                } else {
                    continue;
                }
                const auto [it, inserted] = position.emplace(name, unique.size());
                if (inserted)
                    unique.emplace_back(name, value);
                else
                    unique[it->second].second = value;
            }
            for (const auto& [name, value] : unique)
                flatten(value, child(name), out, depth + 1);
            break;
        }
        case Kind::List:
        case Kind::Tuple:
            for (size_t i = 0; i < v->items.size(); ++i)
                flatten(v->items[i], child(std::to_string(i)), out, depth + 1);
            break;
        default:
            break; // numbers, strings, None: not weights
        }
    }

    PlainValue toPlain(const Value* v, int depth)
    {
        if (depth > kMaxDepth)
            fail("plain data nests deeper than " + std::to_string(kMaxDepth) + " levels", false);
        if (++visits_ > 16 * arena_.size() + 1024)
            fail("the pickle refers to the same objects too many times", false);
        PlainValue out;
        switch (v->kind) {
        case Kind::None: out.kind = PlainValue::Kind::None; break;
        case Kind::Bool:
            out.kind = PlainValue::Kind::Bool;
            out.boolean = v->boolean;
            break;
        case Kind::Int:
            out.kind = PlainValue::Kind::Int;
            out.integer = v->integer;
            break;
        case Kind::LargeInt:
            out.kind = PlainValue::Kind::LargeInt;
            charge(v->text.size());
            out.text = v->text;
            break;
        case Kind::Float:
            out.kind = PlainValue::Kind::Float;
            out.real = v->real;
            break;
        case Kind::String:
        case Kind::Bytes:
            out.kind = v->kind == Kind::String ? PlainValue::Kind::String : PlainValue::Kind::Bytes;
            charge(v->text.size());
            out.text = v->text;
            break;
        case Kind::Tuple:
        case Kind::List:
            out.kind = PlainValue::Kind::List;
            for (const Value* item : v->items)
                out.items.push_back(toPlain(item, depth + 1));
            break;
        case Kind::Dict:
            out.kind = PlainValue::Kind::Dict;
            for (const auto& [key, value] : v->entries)
                out.entries.emplace_back(toPlain(key, depth + 1), toPlain(value, depth + 1));
            break;
        case Kind::Global: fail("expected plain data, found the global " + v->text, false);
        case Kind::Storage: fail("expected plain data, found a storage", false);
        case Kind::Tensor: fail("expected plain data, found a tensor", false);
        }
        return out;
    }

    // The memo lets a small pickle name one long string many times; copying it each time
    // must not turn a few kilobytes of pickle into gigabytes of names.
    void charge(size_t bytes)
    {
        copied_ += bytes;
        if (copied_ > 64 * end_ + (size_t(1) << 20))
            fail("the pickle refers to its strings too many times", false);
    }

    [[noreturn]] void fail(const std::string& what, bool withPosition = true) const
    {
        if (withPosition)
            throw Error(source_ + ": the pickle is malformed or unsupported at byte " + std::to_string(opStart_) + ": " +
                        what);
        throw Error(source_ + ": " + what);
    }

    Value* make(Kind kind)
    {
        arena_.push_back(std::make_unique<Value>());
        arena_.back()->kind = kind;
        return arena_.back().get();
    }

    uint8_t readByte() { return *readBytes(1); }

    const uint8_t* readBytes(uint64_t n)
    {
        if (n > size_ - pos_)
            fail("the pickle ends in the middle of an instruction (needs " + std::to_string(n) + " more bytes, has " +
                 std::to_string(size_ - pos_) + ")");
        const uint8_t* p = data_ + pos_;
        pos_ += n;
        return p;
    }

    uint64_t readUnsigned(int n)
    {
        const uint8_t* p = readBytes(static_cast<uint64_t>(n));
        uint64_t v = 0;
        for (int i = n - 1; i >= 0; --i)
            v = (v << 8) | p[i];
        return v;
    }

    // LONG1/LONG4: little-endian two's complement of any length. Tensor sizes fit int64;
    // larger numbers (the legacy format's 80-bit magic number) are kept as bytes.
    void pushLong(uint64_t n)
    {
        const uint8_t* p = readBytes(n);
        // Python writes the shortest form; a longer one with redundant sign bytes is the same number.
        while (n > 1 && ((p[n - 1] == 0x00 && !(p[n - 2] & 0x80)) || (p[n - 1] == 0xff && (p[n - 2] & 0x80))))
            --n;
        if (n > 8) {
            Value* v = make(Kind::LargeInt);
            v->text.assign(reinterpret_cast<const char*>(p), n);
            push(v);
            return;
        }
        uint64_t v = 0;
        for (uint64_t i = n; i-- > 0;)
            v = (v << 8) | p[i];
        if (n > 0 && n < 8 && (p[n - 1] & 0x80))
            v |= ~uint64_t(0) << (8 * n);
        pushInt(static_cast<int64_t>(v));
    }

    std::string readLine()
    {
        const uint8_t* begin = data_ + pos_;
        const void* newline = std::memchr(begin, '\n', size_ - pos_);
        if (!newline)
            fail("GLOBAL without a terminating newline");
        const size_t len = static_cast<const uint8_t*>(newline) - begin;
        pos_ += len + 1;
        return std::string(reinterpret_cast<const char*>(begin), len);
    }

    void pushText(Kind kind, uint64_t len)
    {
        const uint8_t* p = readBytes(len);
        Value* v = make(kind);
        v->text.assign(reinterpret_cast<const char*>(p), len);
        push(v);
    }

    void pushInt(int64_t i)
    {
        Value* v = make(Kind::Int);
        v->integer = i;
        push(v);
    }

    void push(Value* v) { stack_.push_back(v); }

    void requireStack(size_t n)
    {
        const size_t floor = marks_.empty() ? 0 : marks_.back();
        if (stack_.size() < floor + n)
            fail("stack underflow");
    }

    Value* pop()
    {
        requireStack(1);
        Value* v = stack_.back();
        stack_.pop_back();
        return v;
    }

    Value* top()
    {
        requireStack(1);
        return stack_.back();
    }

    std::vector<Value*> popToMark()
    {
        if (marks_.empty())
            fail("no MARK to pop to");
        const size_t mark = marks_.back();
        marks_.pop_back();
        std::vector<Value*> items(stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
        stack_.resize(mark);
        return items;
    }

    Value* memoGet(uint64_t index)
    {
        const auto it = memo_.find(index);
        if (it == memo_.end())
            fail("memo entry " + std::to_string(index) + " is used before it is stored");
        return it->second;
    }

    Value* dictOf(Value* v, const char* op)
    {
        if (v->kind != Kind::Dict)
            fail(std::string(op) + " on something other than a dict");
        return v;
    }

    Value* listOf(Value* v, const char* op)
    {
        if (v->kind != Kind::List)
            fail(std::string(op) + " on something other than a list");
        return v;
    }

    Value* makeGlobal(const std::string& module, const std::string& name)
    {
        const std::string dotted = module + "." + name;
        for (const auto& allowed : kAllowedGlobals) {
            if (dotted == allowed.name) {
                Value* v = make(Kind::Global);
                v->text = dotted;
                v->global = allowed.kind;
                v->dtype = allowed.dtype;
                return v;
            }
        }
        std::string shown = dotted;
        // The name comes from the file: keep the message one readable line.
        for (char& c : shown)
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                c = '?';
        if (shown.size() > 200)
            shown = shown.substr(0, 200) + "…";
        throw Error(source_ + ": refusing to load: the checkpoint references the Python global '" + shown +
                    "'; only state dicts of tensors can be read");
    }

    int64_t intArg(Value* v, const char* what)
    {
        if (v->kind == Kind::LargeInt)
            fail(std::string(what) + " is too large");
        if (v->kind != Kind::Int)
            fail(std::string(what) + " is not an integer");
        return v->integer;
    }

    std::vector<int64_t> intTuple(Value* v, const char* what)
    {
        if (v->kind != Kind::Tuple && v->kind != Kind::List)
            fail(std::string(what) + " is not a tuple of integers");
        std::vector<int64_t> out;
        for (Value* item : v->items)
            out.push_back(intArg(item, what));
        return out;
    }

    Value* call(Value* callable, Value* args)
    {
        if (callable->kind != Kind::Global)
            fail("REDUCE on something that is not a known function");
        if (args->kind != Kind::Tuple)
            fail("REDUCE needs a tuple of arguments");
        const std::vector<Value*>& a = args->items;
        switch (callable->global) {
        case GlobalKind::OrderedDict: {
            Value* dict = make(Kind::Dict);
            if (a.empty())
                return dict;
            // OrderedDict([(k, v), …]): protocols 0 and 1 write it this way.
            if (a.size() != 1 || a[0]->kind != Kind::List)
                fail("collections.OrderedDict called with unexpected arguments");
            for (Value* pair : a[0]->items) {
                if ((pair->kind != Kind::Tuple && pair->kind != Kind::List) || pair->items.size() != 2)
                    fail("collections.OrderedDict called with something other than pairs");
                dict->entries.emplace_back(pair->items[0], pair->items[1]);
            }
            return dict;
        }
        case GlobalKind::RebuildTensorV2:
            // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            if (a.size() < 4 || a.size() > 7)
                fail("torch._utils._rebuild_tensor_v2 called with " + std::to_string(a.size()) + " arguments");
            return rebuildTensor(a[0], a[1], a[2], a[3]);
        case GlobalKind::RebuildTensor:
            if (a.size() != 4)
                fail("torch._utils._rebuild_tensor called with " + std::to_string(a.size()) + " arguments");
            return rebuildTensor(a[0], a[1], a[2], a[3]);
        case GlobalKind::RebuildParameter:
            // (data, requires_grad, backward_hooks[, state])
            if (a.empty() || a.size() > 4 || a[0]->kind != Kind::Tensor)
                fail(callable->text + " called without a tensor");
            return a[0];
        case GlobalKind::StorageType:
        case GlobalKind::Dtype:
            break;
        }
        fail(callable->text + " cannot be called");
    }

    Value* rebuildTensor(Value* storageValue, Value* offsetValue, Value* sizeValue, Value* strideValue)
    {
        if (storageValue->kind != Kind::Storage)
            fail("a tensor is rebuilt from something that is not a storage");
        const int64_t storageNumel = storageValue->integer;
        const int64_t offset = intArg(offsetValue, "the storage offset");
        const std::vector<int64_t> sizes = intTuple(sizeValue, "the tensor size");
        const std::vector<int64_t> strides = intTuple(strideValue, "the tensor stride");
        const std::string where = "tensor of size " + c10::str(c10::IntArrayRef(sizes)) + ", stride " +
                                  c10::str(c10::IntArrayRef(strides)) + " at offset " + std::to_string(offset) +
                                  " in storage '" + storageValue->text + "' of " + std::to_string(storageNumel) +
                                  " elements";
        if (sizes.size() != strides.size())
            fail(where + ": size and stride differ in length");
        if (offset < 0 || offset > storageNumel)
            fail(where + ": the offset is outside the storage");
        int64_t numel = 1;
        int64_t last = offset; // highest element index the view touches
        for (size_t i = 0; i < sizes.size(); ++i) {
            if (sizes[i] < 0 || strides[i] < 0)
                fail(where + ": negative size or stride");
            if (__builtin_mul_overflow(numel, sizes[i], &numel))
                fail(where + ": the size overflows");
        }
        if (numel > 0) {
            for (size_t i = 0; i < sizes.size(); ++i) {
                int64_t span = 0;
                if (__builtin_mul_overflow(sizes[i] - 1, strides[i], &span) ||
                    __builtin_add_overflow(last, span, &last))
                    fail(where + ": the view overflows");
            }
            if (last >= storageNumel)
                fail(where + ": the view reaches past the end of the storage");
        }
        Value* v = make(Kind::Tensor);
        v->base = storageValue;
        v->integer = offset;
        v->sizes = sizes;
        v->strides = strides;
        return v;
    }

    Value* persistentLoad(Value* pid)
    {
        // ('storage', torch.FloatStorage, key, location, numel); the legacy format adds
        // view_metadata: None, or (view_key, offset, numel) of a slice of that storage.
        if (pid->kind != Kind::Tuple || (pid->items.size() != 5 && pid->items.size() != 6) ||
            pid->items[0]->kind != Kind::String || pid->items[0]->text != "storage")
            fail("a persistent id that is not ('storage', type, key, location, numel[, view])");
        Value* type = pid->items[1];
        Value* key = pid->items[2];
        if (type->kind != Kind::Global || type->global != GlobalKind::StorageType)
            fail("a storage whose type is not a torch storage class");
        if (key->kind != Kind::String || key->text.empty())
            fail("a storage whose key is not a string");
        if (pid->items[3]->kind != Kind::String)
            fail("a storage whose location is not a string");
        const int64_t numel = intArg(pid->items[4], "the storage size");
        if (numel < 0)
            fail("a storage of negative size");
        Value* storage = rootStorage(key->text, type->dtype, numel);
        if (pid->items.size() == 5 || pid->items[5]->kind == Kind::None)
            return storage;
        return viewStorage(storage, pid->items[5]);
    }

    Value* rootStorage(const std::string& key, torch::ScalarType dtype, int64_t numel)
    {
        if (views_.count(key))
            fail("the key '" + key + "' names both a storage and a storage view");
        const auto it = storages_.find(key);
        if (it != storages_.end()) {
            if (it->second->dtype != dtype || it->second->integer != numel)
                fail("storage '" + key + "' is referenced with two different types or sizes");
            return it->second;
        }
        Value* storage = make(Kind::Storage);
        storage->text = key;
        storage->dtype = dtype;
        storage->integer = numel;
        storages_.emplace(key, storage);
        roots_.push_back(storage);
        refs_.push_back({key, dtype, numel});
        return storage;
    }

    // Storage views come from PyTorch's first releases; torch.save has written None in
    // their place ever since, but torch.load still honours them.
    Value* viewStorage(Value* root, Value* meta)
    {
        if (meta->kind != Kind::Tuple || meta->items.size() != 3 || meta->items[0]->kind != Kind::String ||
            meta->items[0]->text.empty())
            fail("a storage view that is not (key, offset, numel)");
        const std::string& key = meta->items[0]->text;
        const int64_t offset = intArg(meta->items[1], "the offset of a storage view");
        const int64_t numel = intArg(meta->items[2], "the size of a storage view");
        // root->integer >= 0 was checked, so the subtraction cannot overflow.
        if (offset < 0 || numel < 0 || numel > root->integer || offset > root->integer - numel)
            fail("storage view '" + key + "' of " + std::to_string(numel) + " elements at offset " +
                 std::to_string(offset) + " lies outside storage '" + root->text + "' of " +
                 std::to_string(root->integer) + " elements");
        if (storages_.count(key))
            fail("the key '" + key + "' names both a storage and a storage view");
        const auto it = views_.find(key);
        if (it != views_.end()) {
            const Value* known = it->second;
            if (known->base != root || known->viewOffset != offset || known->integer != numel)
                fail("storage view '" + key + "' is referenced with two different extents");
            return it->second;
        }
        Value* view = make(Kind::Storage);
        view->text = key;
        view->dtype = root->dtype;
        view->integer = numel;
        view->base = root;
        view->viewOffset = offset;
        views_.emplace(key, view);
        return view;
    }

    torch::Tensor load(const Value* storage, const StorageLoader& loadStorage)
    {
        const std::string& key = storage->text;
        const int64_t numel = storage->integer;
        torch::Tensor t = loadStorage(key, storage->dtype, numel);
        if (!t.defined() || t.scalar_type() != storage->dtype || t.dim() != 1 || t.numel() != numel)
            fail("storage '" + key + "' was not loaded as " + std::to_string(numel) + " elements", false);
        // Tensors are cut out of the storage by absolute element offsets.
        if (t.storage_offset() != 0 || !t.is_contiguous())
            t = t.clone(at::MemoryFormat::Contiguous);
        if (t.scalar_type() == torch::kBool) {
            const auto* p = static_cast<const uint8_t*>(t.data_ptr());
            for (int64_t i = 0; i < numel; ++i)
                if (p[i] > 1)
                    fail("storage '" + key + "' holds a bool that is neither 0 nor 1", false);
        }
        return t;
    }

    torch::Tensor build(Value* v)
    {
        if (v->tensor.defined())
            return v->tensor;
        const Value* storage = v->base;
        const Value* root = storage->base ? storage->base : storage;
        const torch::Tensor& data = root->tensor;
        // Both terms are bounded by the root's size (checked while parsing): no overflow.
        const int64_t offset = v->integer + storage->viewOffset;
        int64_t numel = 1;
        for (int64_t size : v->sizes)
            numel *= size;
        if (offset == 0 && numel == data.numel() && isContiguous(v->sizes, v->strides)) {
            v->tensor = data.view(v->sizes);
        } else {
            torch::Tensor view = data.as_strided(v->sizes, v->strides, offset);
            // Compact views so one small tensor does not pin a large shared storage; views
            // with overlapping elements (expand) stay views, since copying them could
            // multiply their size without bound.
            v->tensor = overlaps(v->sizes, v->strides) ? view : view.clone(at::MemoryFormat::Contiguous);
        }
        return v->tensor;
    }

    const uint8_t* data_;
    size_t size_;
    size_t pos_ = 0;
    size_t opStart_ = 0;
    size_t end_ = 0;
    const std::string source_;
    std::vector<std::unique_ptr<Value>> arena_; // owns every value; the pickle may form cycles
    std::vector<Value*> stack_;
    std::vector<size_t> marks_;
    std::unordered_map<uint64_t, Value*> memo_;
    std::unordered_map<std::string, Value*> storages_;
    std::unordered_map<std::string, Value*> views_;
    std::vector<Value*> roots_; // the storages, in the order the pickle first names them
    std::vector<StorageRef> refs_; // the same, for the container
    Value* root_ = nullptr;
    size_t visits_ = 0;
    size_t copied_ = 0; // bytes of text copied out of the pickle's values
};

const PlainValue* PlainValue::find(const std::string& key) const
{
    const PlainValue* found = nullptr;
    for (const auto& [k, v] : entries)
        if (k.kind == Kind::String && k.text == key)
            found = &v;
    return found;
}

Pickle::Pickle(const uint8_t* data, size_t size, std::string source)
    : vm_(std::make_unique<Unpickler>(data, size, std::move(source)))
{
}

Pickle::~Pickle() = default;

size_t Pickle::end() const { return vm_->end(); }

const std::vector<StorageRef>& Pickle::storages() const { return vm_->storages(); }

PlainValue Pickle::plain() const { return vm_->plain(); }

TensorMap Pickle::tensors(const StorageLoader& loadStorage) { return vm_->tensors(loadStorage); }

TensorMap unpickleStateDict(const uint8_t* data, size_t size, const std::string& source,
                            const StorageLoader& loadStorage)
{
    return Pickle(data, size, source).tensors(loadStorage);
}

} // namespace pae::io::detail
