// The command line of every check executable: declared options, --help,
// and errors that name the problem and exit with status 2.
//
//   command_line cl("queue_stress", "Real-thread stress of every queue ...");
//   cl.option("--seed", "N", "base seed (default: from the clock)", seed);
//   cl.flag("--list", "list the entries and exit", list);
//   if (const int status = cl.parse(argc, argv); status >= 0) return status;
//
// Options take `--name VALUE` or `--name=VALUE`; numbers are checked whole
// ("12x" is an error, not 12).
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <functional>
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
    template <class Number>
        requires std::is_arithmetic_v<Number>
    command_line& option(std::string name, std::string metavar, std::string help, Number& out) {
        return add(std::move(name), std::move(metavar), std::move(help), [&out](std::string_view v) {
            Number n{};
            const auto r = std::from_chars(v.data(), v.data() + v.size(), n);
            if (r.ec != std::errc() || r.ptr != v.data() + v.size()) return false;
            out = n;
            return true;
        });
    }
    command_line& flag(std::string name, std::string help, bool& out) {
        opts_.push_back({std::move(name), "", std::move(help), [&out](std::string_view) {
                             out = true;
                             return true;
                         }});
        return *this;
    }

    // -1: go on; otherwise the exit status to return (0 after --help).
    int parse(int argc, char** argv) const {
        for (int i = 1; i < argc; ++i) {
            std::string_view arg = argv[i];
            if (arg == "--help" || arg == "-h") {
                usage(stdout);
                return 0;
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
        }
        return -1;
    }

    void usage(std::FILE* to) const {
        std::string line = "usage: " + program_ + " [--help]";
        for (const auto& o : opts_) line += " [" + o.name + (o.metavar.empty() ? "" : " " + o.metavar) + "]";
        std::fprintf(to, "%s\n%s\n\n", line.c_str(), summary_.c_str());
        for (const auto& o : opts_) {
            const std::string lhs = o.name + (o.metavar.empty() ? "" : " " + o.metavar);
            std::fprintf(to, "  %-20s %s\n", lhs.c_str(), o.help.c_str());
        }
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

    std::string program_, summary_;
    std::vector<spec> opts_;
};

}  // namespace gauntlet
