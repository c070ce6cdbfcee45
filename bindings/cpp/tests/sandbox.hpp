// Test helpers: the sandbox the tests talk to, a way to start extra sandboxes
// (e.g. with --tls), and a tiny HTTP client for its admin API.
#pragma once

#include "moneykit.hpp"

#include <nlohmann/json.hpp>
#include <sys/types.h>

#include <string>
#include <vector>

namespace mktest {

/// A moneykit-sandbox process of our own, stopped by the destructor.
class SandboxProcess {
public:
    explicit SandboxProcess(const std::vector<std::string>& extra_args = {});
    ~SandboxProcess();
    SandboxProcess(const SandboxProcess&) = delete;
    SandboxProcess& operator=(const SandboxProcess&) = delete;
    /// e.g. "http://127.0.0.1:41234" (https:// with --tls).
    const std::string& url() const { return url_; }

private:
    pid_t pid_ = -1;
    std::string url_;
    std::string log_path_;
};

/// The shared sandbox: the one scripts/with-sandbox.sh started (MONEYKIT_BASE_URL),
/// else one started for this test run (and MONEYKIT_* set accordingly).
const std::string& base_url();

struct HttpResponse {
    int status = 0;
    std::string body;
};

/// One plain-HTTP request to a loopback sandbox (Connection: close); a POST sends `body`.
HttpResponse http(const std::string& base, const std::string& method, const std::string& target,
                  const std::vector<std::string>& headers = {}, const std::string& body = {});

/// GET /_sandbox/stats on the shared sandbox.
nlohmann::json stats();
/// GET /_sandbox/requests on the shared sandbox.
nlohmann::json requests();

/// A suffix no other test (or earlier run against the same sandbox) uses.
std::string unique_tag();

/// Fast-failing options for tests: no retries, 10 ms backoff base, 10 s deadline.
moneykit::Options fast();

}  // namespace mktest
