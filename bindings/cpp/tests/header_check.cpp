// Compiles moneykit.hpp on its own under strict warnings (see CMakeLists.txt):
// the header must be self-contained and clean for users with strict flags.
#include "moneykit.hpp"
#include "moneykit.hpp"  // include guard

int moneykit_header_check();
int moneykit_header_check() {
    const moneykit::Options options = moneykit::Options().timeout(std::chrono::seconds(1)).max_retries(1);
    return static_cast<int>(options.json().size());
}
