#include "sandbox.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace mktest {

namespace {

std::string sandbox_bin() {
    const char* env = std::getenv("MONEYKIT_SANDBOX_BIN");
    return env && *env ? env : MONEYKIT_TEST_SANDBOX_BIN;
}

std::string shared_url;
std::unique_ptr<SandboxProcess> own_sandbox;

/// Uses the sandbox from the environment, or starts one for the whole run.
class SandboxEnvironment : public ::testing::Environment {
public:
    void SetUp() override {
        const char* url = std::getenv("MONEYKIT_BASE_URL");
        if (url && *url) {
            shared_url = url;
            return;
        }
        own_sandbox = std::make_unique<SandboxProcess>();
        shared_url = own_sandbox->url();
        setenv("MONEYKIT_BASE_URL", shared_url.c_str(), 1);
        setenv("MONEYKIT_CLIENT_ID", "sandbox-client", 1);
        setenv("MONEYKIT_CLIENT_SECRET", "sandbox-secret", 1);
    }
    void TearDown() override { own_sandbox.reset(); }
};

[[maybe_unused]] ::testing::Environment* const environment =
    ::testing::AddGlobalTestEnvironment(new SandboxEnvironment);

}  // namespace

SandboxProcess::SandboxProcess(const std::vector<std::string>& extra_args) {
    char path[] = "/tmp/mk-cpp-sandbox-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    log_path_ = path;
    std::vector<std::string> args = {sandbox_bin(), "--addr", "127.0.0.1:0"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(fd);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        std::ifstream in(log_path_);
        std::string line;
        if (std::getline(in, line) && !in.eof()) {
            const std::string prefix = "listening on ";
            if (line.rfind(prefix, 0) == 0) {
                url_ = line.substr(prefix.size());
                return;
            }
        }
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("sandbox exited at start: " + sandbox_bin());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("sandbox did not start: " + sandbox_bin());
}

SandboxProcess::~SandboxProcess() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        waitpid(pid_, nullptr, 0);
    }
    if (!log_path_.empty()) unlink(log_path_.c_str());
}

const std::string& base_url() { return shared_url; }

HttpResponse http(const std::string& base, const std::string& method, const std::string& target,
                  const std::vector<std::string>& headers, const std::string& body_out) {
    const std::string scheme = "http://";
    if (base.rfind(scheme, 0) != 0) throw std::runtime_error("not an http URL: " + base);
    const std::string authority = base.substr(scheme.size());
    const auto colon = authority.rfind(':');
    const std::string host = authority.substr(0, colon);
    const int port = std::stoi(authority.substr(colon + 1));

    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, host.c_str(), &addr.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        throw std::runtime_error("connect failed: " + base);
    }
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: " + authority + "\r\nConnection: close\r\n";
    for (const std::string& h : headers) req += h + "\r\n";
    if (method == "POST") req += "Content-Length: " + std::to_string(body_out.size()) + "\r\n";
    req += "\r\n";
    if (method == "POST") req += body_out;
    for (std::size_t sent = 0; sent < req.size();) {
        ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    std::string raw;
    char buf[65536];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        raw.append(buf, static_cast<std::size_t>(n));
    }
    close(fd);

    HttpResponse r;
    const auto head_end = raw.find("\r\n\r\n");
    if (raw.size() < 12 || head_end == std::string::npos) throw std::runtime_error("bad HTTP response");
    r.status = std::stoi(raw.substr(9, 3));
    std::string head = raw.substr(0, head_end);
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string body = raw.substr(head_end + 4);
    if (head.find("transfer-encoding: chunked") != std::string::npos) {
        std::string out;
        std::size_t pos = 0;
        for (;;) {
            const auto eol = body.find("\r\n", pos);
            if (eol == std::string::npos) break;
            const std::size_t size = std::stoul(body.substr(pos, eol - pos), nullptr, 16);
            if (size == 0) break;
            out += body.substr(eol + 2, size);
            pos = eol + 2 + size + 2;
        }
        body = out;
    }
    r.body = std::move(body);
    return r;
}

nlohmann::json stats() { return nlohmann::json::parse(http(base_url(), "GET", "/_sandbox/stats").body); }

nlohmann::json requests() { return nlohmann::json::parse(http(base_url(), "GET", "/_sandbox/requests").body); }

std::string unique_tag() {
    static std::atomic<unsigned> counter{0};
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    std::ostringstream s;
    s << "cpp" << getpid() << "x" << std::chrono::duration_cast<std::chrono::microseconds>(now).count() << "n"
      << counter++;
    return s.str();
}

moneykit::Options fast() {
    using namespace std::chrono_literals;
    return moneykit::Options().max_retries(0).retry_base(10ms).timeout(10s);
}

}  // namespace mktest
