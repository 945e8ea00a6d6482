// The command line of every check executable: declared options, --help,
// and errors that name the problem and exit with status 2.
//
//   command_line cl("queue_stress", "Real-thread stress of every queue ...");
//   cl.option("--rounds", "N", "rounds per entry", rounds, 1, 1000000);
//   cl.flag("--deep", "search deeper", deep);
//   if (const int status = cl.parse(argc, argv); status >= 0) return status;
//
// Options take `--name VALUE` or `--name=VALUE`; numbers are checked whole
// ("12x" is an error, not 12) and against their declared range. Check
// programs get --entry, --seed, --list and the rest from check_program
// (primitives/harness/check_program.hpp) and declare only their own.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <type_traits>
#include <utility>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace gauntlet {

class command_line {
public:
    command_line(std::string program, std::string summary)
        : program_(std::move(program)), summary_(std::move(summary)) {}

    command_line& option(std::string name, std::string metavar, std::string help, std::string& out) {
        return add(std::move(name), std::move(metavar), std::move(help), [&out](std::string_view v) {
            out = std::string(v);
            return true;
        });
    }
    // Repeatable: every occurrence appends.
    command_line& option(std::string name, std::string metavar, std::string help, std::vector<std::string>& out) {
        return add(std::move(name), std::move(metavar), std::move(help), [&out](std::string_view v) {
            if (v.empty()) return false;
            out.emplace_back(v);
            return true;
        });
    }
    // A number in [lo, hi]; the help text states the range.
    template <class Number>
        requires std::is_arithmetic_v<Number>
    command_line& option(std::string name, std::string metavar, std::string help, Number& out, Number lo,
                         Number hi) {
        const std::string range = " [" + show(lo) + ".." + show(hi) + "]";
        return add(std::move(name), metavar + range, std::move(help), [&out, lo, hi](std::string_view v) {
            Number n{};
            const auto r = std::from_chars(v.data(), v.data() + v.size(), n);
            if (r.ec != std::errc() || r.ptr != v.data() + v.size()) return false;
            if (!(n >= lo && n <= hi)) return false;
            out = n;
            return true;
        });
    }
    // Arguments starting with `prefix` are not ours (e.g. "--benchmark_"):
    // kept, in order, for the library that owns them.
    command_line& pass_through(std::string prefix, std::string help) {
        pass_prefix_ = std::move(prefix);
        pass_help_ = std::move(help);
        return *this;
    }
    const std::vector<std::string>& passed_through() const { return passed_; }
    // The options given, as "--name=value" / "--name", for replay lines.
    const std::vector<std::pair<std::string, std::string>>& given() const { return given_; }
    command_line& flag(std::string name, std::string help, bool& out) {
        opts_.push_back({std::move(name), "", std::move(help), [&out](std::string_view) {
                             out = true;
                             return true;
                         }});
        return *this;
    }

    // -1: go on; otherwise the exit status to return (0 after --help).
    int parse(int argc, char** argv) {
        for (int i = 1; i < argc; ++i) {
            std::string_view arg = argv[i];
            if (arg == "--help" || arg == "-h") {
                usage(stdout);
                return 0;
            }
            if (!pass_prefix_.empty() && arg.starts_with(pass_prefix_)) {
                passed_.emplace_back(arg);
                continue;
            }
            std::string_view value;
            bool inline_value = false;
            if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
                value = arg.substr(eq + 1);
                arg = arg.substr(0, eq);
                inline_value = true;
            }
            const spec* s = find(arg);
            if (!s) return error("unknown option '" + std::string(argv[i]) + "'");
            if (s->metavar.empty()) {
                if (inline_value) return error(std::string(arg) + " takes no value");
            } else if (!inline_value) {
                if (i + 1 >= argc) return error(std::string(arg) + " needs a value (" + s->metavar + ")");
                value = argv[++i];
            }
            if (!s->set(value))
                return error(std::string(arg) + ": '" + std::string(value) + "' is not a valid " + s->metavar);
            given_.emplace_back(std::string(arg), std::string(value));
        }
        return -1;
    }

    void usage(std::FILE* to) const {
        std::string line = "usage: " + program_ + " [--help]";
        for (const auto& o : opts_) line += " [" + o.name + (o.metavar.empty() ? "" : " " + o.metavar) + "]";
        std::fprintf(to, "%s\n%s\n\n", line.c_str(), summary_.c_str());
        for (const auto& o : opts_) {
            const std::string lhs = o.name + (o.metavar.empty() ? "" : " " + o.metavar);
            std::fprintf(to, "  %-26s %s\n", lhs.c_str(), o.help.c_str());
        }
        if (!pass_prefix_.empty()) std::fprintf(to, "  %-26s %s\n", (pass_prefix_ + "*").c_str(), pass_help_.c_str());
    }

    // For errors found after parsing (a bad combination, an unknown name).
    int error(const std::string& what) const {
        std::fprintf(stderr, "%s: %s (try --help)\n", program_.c_str(), what.c_str());
        return 2;
    }

private:
    struct spec {
        std::string name, metavar, help;
        std::function<bool(std::string_view)> set;
    };
    command_line& add(std::string name, std::string metavar, std::string help,
                      std::function<bool(std::string_view)> set) {
        opts_.push_back({std::move(name), std::move(metavar), std::move(help), std::move(set)});
        return *this;
    }
    const spec* find(std::string_view name) const {
        for (const auto& o : opts_)
            if (o.name == name) return &o;
        return nullptr;
    }

    template <class Number>
    static std::string show(Number n) {
        if constexpr (std::is_floating_point_v<Number>) {
            char b[32];
            std::snprintf(b, sizeof b, "%g", static_cast<double>(n));
            return b;
        } else {
            return std::to_string(n);
        }
    }

    std::string program_, summary_;
    std::vector<spec> opts_;
    std::string pass_prefix_, pass_help_;
    std::vector<std::string> passed_;
    std::vector<std::pair<std::string, std::string>> given_;
};

}  // namespace gauntlet
