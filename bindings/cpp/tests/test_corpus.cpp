// The conformance corpus (tests/corpus/, schema/README.md): every NAME.json decodes
// through the public IdentityResponse::parse to the canonical dump in
// NAME.expected.json; every refuse_NAME.json is refused with DecodeError naming the
// path in refuse_NAME.error. The same bodies, served by the sandbox as mk_corpus_NAME,
// decode to the same dumps through Client::get_identity (the library's typed view,
// mk_get_identity_view). canonical_dump() is JSON text; nlohmann/json compares it here.
#include "moneykit.hpp"
#include "sandbox.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#ifndef MONEYKIT_TEST_CORPUS_DIR
#error "MONEYKIT_TEST_CORPUS_DIR must name tests/corpus (set in CMakeLists.txt)"
#endif

namespace fs = std::filesystem;
using moneykit::IdentityResponse;

namespace {

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << "cannot read " << path;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

/// Corpus names (file names without .json) whose name does / does not start with refuse_.
std::vector<std::string> corpus_names(bool refusals) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(MONEYKIT_TEST_CORPUS_DIR)) {
        const std::string file = entry.path().filename().string();
        if (!ends_with(file, ".json") || ends_with(file, ".expected.json")) continue;
        const std::string name = file.substr(0, file.size() - 5);
        if ((name.rfind("refuse_", 0) == 0) == refusals) names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

fs::path corpus(const std::string& file) { return fs::path(MONEYKIT_TEST_CORPUS_DIR) / file; }

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
}

}  // namespace

TEST(Corpus, IsThere) {
    EXPECT_GE(corpus_names(false).size(), 5u);
    EXPECT_GE(corpus_names(true).size(), 5u);
}

TEST(Corpus, EveryBodyDecodesToItsCanonicalDump) {
    for (const std::string& name : corpus_names(false)) {
        SCOPED_TRACE(name);
        const nlohmann::json expected = nlohmann::json::parse(read_file(corpus(name + ".expected.json")));
        try {
            const IdentityResponse r = IdentityResponse::parse(read_file(corpus(name + ".json")));
            const std::string dump = r.canonical_dump();
            EXPECT_EQ(nlohmann::json::parse(dump), expected) << "dump:\n" << dump;
        } catch (const moneykit::Error& e) {
            ADD_FAILURE() << name << ": " << e.what();
        }
    }
}

TEST(Corpus, EveryRefusalNamesItsPath) {
    for (const std::string& name : corpus_names(true)) {
        SCOPED_TRACE(name);
        const std::string want = trimmed(read_file(corpus(name + ".error")));
        ASSERT_FALSE(want.empty());
        try {
            IdentityResponse::parse(read_file(corpus(name + ".json")));
            ADD_FAILURE() << name << " was accepted";
        } catch (const moneykit::DecodeError& e) {
            EXPECT_EQ(e.status(), moneykit::Status::decode);
            EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what() << "\nwanted: " << want;
        }
    }
}

TEST(Corpus, ClientGetPathGivesTheSameDumps) {
    const moneykit::Client client(mktest::fast());
    for (const std::string& name : corpus_names(false)) {
        SCOPED_TRACE(name);
        const nlohmann::json expected = nlohmann::json::parse(read_file(corpus(name + ".expected.json")));
        try {
            EXPECT_EQ(nlohmann::json::parse(client.get_identity("mk_corpus_" + name).canonical_dump()), expected);
        } catch (const moneykit::Error& e) {
            ADD_FAILURE() << "mk_corpus_" << name << ": " << e.what();
        }
    }
    for (const std::string& name : corpus_names(true)) {
        SCOPED_TRACE(name);
        const std::string want = trimmed(read_file(corpus(name + ".error")));
        try {
            client.get_identity("mk_corpus_" + name);
            ADD_FAILURE() << "mk_corpus_" << name << " was accepted";
        } catch (const moneykit::DecodeError& e) {
            EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what() << "\nwanted: " << want;
        }
    }
}
