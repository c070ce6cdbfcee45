// An out-of-tree C++ program built only from an installed prefix with
// find_package(moneykit CONFIG REQUIRED): fetches and checks a real identity.
#include <moneykit.hpp>

#include <iostream>

int main() {
    try {
        const moneykit::Client client(moneykit::Options().max_retries(0).timeout(std::chrono::seconds(10)));
        const moneykit::IdentityResponse identity = client.get_identity("mk_sandbox_ok");
        if (identity.accounts.size() != 2 || !identity.accounts[0].balances.available ||
            identity.accounts[0].balances.available->text() != "340.12" ||
            identity.accounts[0].owners.at(0).names.at(0) != "José Álvarez" || !identity.refreshed_at()) {
            std::cerr << "cpp consumer: unexpected identity\n";
            return 1;
        }
        try {
            client.get_identity("mk_sandbox_forbidden");
            std::cerr << "cpp consumer: expected ForbiddenError\n";
            return 1;
        } catch (const moneykit::ForbiddenError& e) {
            if (e.http_status() != 403) return 1;
        }
        std::cout << "cpp consumer: ok (moneykit " << moneykit::version() << ", "
                  << identity.accounts[0].owners[0].names[0] << " has "
                  << identity.accounts[0].balances.available->text() << " "
                  << identity.accounts[0].balances.currency.value_or("?") << ")\n";
        return 0;
    } catch (const moneykit::Error& e) {
        std::cerr << "cpp consumer: " << e.name() << ": " << e.what() << "\n";
        return 1;
    }
}
