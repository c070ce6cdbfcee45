// A realistic sandbox of its own for the batch and refresh tests (issue 15): MoneyKit's
// limits, latency, and a time scale so a minute lasts one second.
#pragma once

#include "sandbox.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace mktest {

/// The time scale of realistic_sandbox(): a minute lasts 60 / kScale seconds.
inline constexpr double kScale = 60;

/// Started once for the run (lazily): --realistic --time-scale 60 --latency-ms 60,30
/// (1 ms +- 0.5 real) --refresh-delay-ms 10000 (167 ms real).
SandboxProcess& realistic_sandbox();

/// Options for a client of the realistic sandbox (static token: no token round trip).
moneykit::Options realistic_options();

/// GET /_sandbox/stats and GET /_sandbox/links/<id> on the realistic sandbox.
nlohmann::json realistic_stats();
nlohmann::json realistic_link(const std::string& link_id);

}  // namespace mktest
