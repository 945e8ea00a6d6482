// A small JSON value, its one writer, and its one escaping rule.
//
// Check bodies hand the harness typed metrics (numbers, strings, flags,
// nested objects and arrays), never hand-encoded JSON text: a metric that is
// a number in C++ is a number in results.json, and nothing downstream parses
// a string to recover it.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <initializer_list>
#include <type_traits>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace gauntlet {

class json {
public:
    using array = std::vector<json>;
    using object = std::vector<std::pair<std::string, json>>;  // insertion order kept

    json() : v_(std::monostate{}) {}
    json(std::nullptr_t) : v_(std::monostate{}) {}
    json(bool b) : v_(b) {}
    template <class I>
        requires(std::is_integral_v<I> && !std::is_same_v<I, bool>)
    json(I i) : v_(static_cast<std::int64_t>(i)) {}
    json(double d) : v_(d) {}
    json(float d) : v_(static_cast<double>(d)) {}
    json(const char* s) : v_(std::string(s)) {}
    json(std::string s) : v_(std::move(s)) {}
    json(std::string_view s) : v_(std::string(s)) {}
    json(array a) : v_(std::move(a)) {}
    json(object o) : v_(std::move(o)) {}

    // Text that is already JSON (a metrics object carried from a child
    // process), written verbatim.
    struct raw_text {
        std::string text;
    };
    static json raw(std::string text) {
        json j;
        j.v_ = raw_text{std::move(text)};
        return j;
    }

    static json list(std::initializer_list<json> items) { return json(array(items)); }
    template <class Range>
    static json list_of(const Range& r) {
        array a;
        for (const auto& x : r) a.emplace_back(x);
        return json(std::move(a));
    }

    bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
    bool is_object() const { return std::holds_alternative<object>(v_); }
    object& as_object() { return std::get<object>(v_); }
    const object& as_object() const { return std::get<object>(v_); }

    // object access: adds the key when it is new
    json& operator[](std::string_view key) {
        if (is_null()) v_ = object{};
        auto& o = std::get<object>(v_);
        for (auto& [k, v] : o)
            if (k == key) return v;
        o.emplace_back(std::string(key), json());
        return o.back().second;
    }

    std::string dump() const {
        std::string out;
        write(out);
        return out;
    }

    static std::string escape(std::string_view s) {
        std::string out;
        out.reserve(s.size() + 8);
        for (unsigned char c : s) {
            switch (c) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                default:
                    if (c < 0x20) {
                        char buf[8];
                        std::snprintf(buf, sizeof buf, "\\u%04x", c);
                        out += buf;
                    } else {
                        out += static_cast<char>(c);
                    }
            }
        }
        return out;
    }

private:
    void write(std::string& out) const {
        struct visitor {
            std::string& out;
            void operator()(std::monostate) const { out += "null"; }
            void operator()(bool b) const { out += b ? "true" : "false"; }
            void operator()(std::int64_t i) const { out += std::to_string(i); }
            void operator()(double d) const {
                if (!std::isfinite(d)) {
                    out += "null";  // JSON has no NaN or infinity
                    return;
                }
                char buf[32];
                std::snprintf(buf, sizeof buf, "%.17g", d);
                out += buf;
                // a double stays a double when read back (1.0, not 1): the
                // report tells a run's figures from its labels by type
                if (std::strpbrk(buf, ".eE") == nullptr) out += ".0";
            }
            void operator()(const std::string& s) const { out += '"' + escape(s) + '"'; }
            void operator()(const raw_text& r) const { out += r.text.empty() ? "null" : r.text; }
            void operator()(const array& a) const {
                out += '[';
                for (std::size_t i = 0; i < a.size(); ++i) {
                    if (i) out += ',';
                    a[i].write(out);
                }
                out += ']';
            }
            void operator()(const object& o) const {
                out += '{';
                for (std::size_t i = 0; i < o.size(); ++i) {
                    if (i) out += ',';
                    out += '"' + escape(o[i].first) + "\":";
                    o[i].second.write(out);
                }
                out += '}';
            }
        };
        std::visit(visitor{out}, v_);
    }

    std::variant<std::monostate, bool, std::int64_t, double, std::string, raw_text, array, object> v_;
};

}  // namespace gauntlet
