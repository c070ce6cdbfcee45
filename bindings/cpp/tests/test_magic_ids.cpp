// Every magic link id of the sandbox answers with the status the schema gives it
// (schema/moneykit.json, `magic_ids`): the call every language's magic-id test makes is
// the rule of gen/src/schema.rs `MagicId::check()`: the entry's `check`, else the id
// itself when its `status` is one MK_ name and its kind is neither `prefix` nor `default`;
// `{tag}` is replaced by a fresh tag; the options are `check_options` plus the check's own.
// MK_OK means get_identity returns; any other status, that it throws that status.
#include "moneykit.hpp"
#include "sandbox.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef MONEYKIT_TEST_SCHEMA
#error "MONEYKIT_TEST_SCHEMA must name schema/moneykit.json (set in CMakeLists.txt)"
#endif

namespace {

struct Check {
    std::string id;
    nlohmann::json options;  // check_options with the check's own options on top
    std::string status;
};

/// schema/moneykit.json, or the file MONEYKIT_TEST_SCHEMA names (to try the test on an edited copy).
nlohmann::json schema() {
    const char* env = std::getenv("MONEYKIT_TEST_SCHEMA");
    const std::string path = env && *env ? env : MONEYKIT_TEST_SCHEMA;
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << "cannot read " << path;
    std::ostringstream s;
    s << in.rdbuf();
    return nlohmann::json::parse(s.str());
}

/// One status name: `MK_` then upper-case letters and underscores only.
bool single_status(const std::string& status) {
    if (status.rfind("MK_", 0) != 0) return false;
    for (const char c : status) {
        if (!((c >= 'A' && c <= 'Z') || c == '_')) return false;
    }
    return true;
}

/// MagicId::check() for every entry that has a check.
std::vector<Check> checks() {
    const nlohmann::json magic = schema().at("magic_ids");
    std::vector<Check> out;
    for (const nlohmann::json& entry : magic.at("ids")) {
        Check c;
        c.options = magic.at("check_options");
        if (entry.contains("check")) {
            const nlohmann::json& check = entry.at("check");
            c.id = check.at("id").get<std::string>();
            c.status = check.at("status").get<std::string>();
            if (check.contains("options")) {
                for (const auto& [key, value] : check.at("options").items()) c.options[key] = value;
            }
        } else {
            const std::string status = entry.at("status").get<std::string>();
            const std::string kind = entry.at("kind").get<std::string>();
            if (!single_status(status) || kind == "prefix" || kind == "default") continue;
            c.id = entry.at("id").get<std::string>();
            c.status = status;
        }
        const auto at = c.id.find("{tag}");
        if (at != std::string::npos) c.id.replace(at, 5, mktest::unique_tag());
        out.push_back(std::move(c));
    }
    return out;
}

}  // namespace

TEST(MagicIds, EveryCheckableIdIsThere) {
    const std::vector<Check> all = checks();
    // Every entry but the input-dependent corpus prefix has a check.
    EXPECT_EQ(all.size() + 1, schema().at("magic_ids").at("ids").size());
    bool ok = false, error = false, fault = false;
    for (const Check& c : all) {
        ok = ok || c.status == "MK_OK";
        error = error || c.id == "mk_sandbox_forbidden";
        fault = fault || c.id.rfind("mk_fault_500_once_cpp", 0) == 0;  // {tag} replaced
    }
    EXPECT_TRUE(ok && error && fault);
}

TEST(MagicIds, EachAnswersWithTheSchemasStatus) {
    mktest::base_url();  // the sandbox (and MONEYKIT_BASE_URL) before the first client
    for (const Check& c : checks()) {
        SCOPED_TRACE(c.id + " " + c.options.dump() + " -> " + c.status);
        moneykit::Options options;
        for (const auto& [key, value] : c.options.items()) options.set_json(key, value.dump());
        const moneykit::Client client(options);
        std::string got = "MK_OK";
        try {
            const moneykit::IdentityResponse r = client.get_identity(c.id);
            EXPECT_FALSE(r.link.link_id.empty());
        } catch (const moneykit::Error& e) {
            got = moneykit::status_name(e.status());
            EXPECT_EQ(e.name(), got);
        }
        EXPECT_EQ(got, c.status);
    }
}
