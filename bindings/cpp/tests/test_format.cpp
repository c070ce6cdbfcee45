// operator<< of the model types and the claim: ids, enum values, flags, timestamps and
// counts, never owner data (names, emails, phone numbers, addresses), amounts or other
// text; the data stays in the fields.
#include "moneykit.hpp"
#include "sandbox.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

using moneykit::Client;
using moneykit::IdentityResponse;

namespace {

const Client& client() {
    static const Client c(mktest::fast());
    return c;
}

template <class T>
std::string show(const T& v) {
    std::ostringstream os;
    os << v;
    return os.str();
}

/// Every owner value of `r`, the account names and masks and the amounts.
std::vector<std::string> owner_data(const IdentityResponse& r) {
    std::vector<std::string> out;
    auto add = [&](const std::optional<std::string>& s) {
        if (s && !s->empty()) out.push_back(*s);
    };
    for (const auto& a : r.accounts) {
        out.push_back(a.name);
        add(a.nickname);
        add(a.account_mask);
        if (a.balances.available) out.push_back(a.balances.available->text());
        if (a.balances.current) out.push_back(a.balances.current->text());
        for (const auto& o : a.owners) {
            for (const auto& n : o.names) out.push_back(n);
            for (const auto& e : o.emails) out.push_back(e.address);
            for (const auto& p : o.phone_numbers) out.push_back(p.number);
            for (const auto& ad : o.addresses) {
                add(ad.street);
                add(ad.city);
                add(ad.postal_code);
            }
        }
    }
    return out;
}

void expect_no_owner_data(const std::string& what, const std::string& text,
                          const std::vector<std::string>& pii) {
    for (const auto& s : pii) {
        EXPECT_EQ(text.find(s), std::string::npos) << what << " shows \"" << s << "\": " << text;
    }
}

}  // namespace

TEST(Format, ShowsIdsAndCountsNeverOwnerData) {
    const IdentityResponse r = client().get_identity("mk_sandbox_ok");
    std::vector<std::string> pii = owner_data(r);
    ASSERT_GE(pii.size(), 20u);
    ASSERT_EQ(r.accounts.at(0).owners.at(0).names.at(0), "José Álvarez");
    const moneykit::Owner& owner = r.accounts[0].owners[1];
    moneykit::Claim claim;
    claim.name = "Zoë Łukasiewicz";
    claim.email = "zoe@example.net";
    claim.phone = "+1 415 555 0142";
    claim.address = moneykit::ClaimAddress{};
    claim.address->street = "ul. Floriańska 14";
    claim.address->city = "Kraków";
    claim.address->postal_code = "31-008";
    pii.push_back("+1 415 555 0142");

    expect_no_owner_data("identity", show(r), pii);
    for (const auto& a : r.accounts) {
        expect_no_owner_data("account", show(a), pii);
        expect_no_owner_data("balances", show(a.balances), pii);
        for (const auto& o : a.owners) {
            expect_no_owner_data("owner", show(o), pii);
            for (const auto& ad : o.addresses) expect_no_owner_data("address", show(ad), pii);
            for (const auto& e : o.emails) expect_no_owner_data("email", show(e), pii);
            for (const auto& p : o.phone_numbers) expect_no_owner_data("phone", show(p), pii);
        }
    }
    expect_no_owner_data("link", show(r.link), pii);
    expect_no_owner_data("claim", show(claim), pii);
    expect_no_owner_data("claim address", show(*claim.address), pii);

    // What they show: ids and counts.
    const std::string id = show(r);
    for (const char* want : {"link_id: mk_sandbox_ok", "state: connected", "accounts: len 2"}) {
        EXPECT_NE(id.find(want), std::string::npos) << id << ": no " << want;
    }
    EXPECT_EQ(show(r.accounts[0]),
              "Account{account_id: acc_6Tef269B6ZArSVpYrxtjBV, balances: Balances{balance_date: "
              "2023-02-16T09:14:11Z}, closed: false, owners: len 2}");
    EXPECT_EQ(show(owner), "Owner{names: len 2, addresses: len 2, phone_numbers: len 1, emails: len 2}");
    EXPECT_EQ(show(owner.phone_numbers[0]), "PhoneNumber{type: work}");
    EXPECT_EQ(show(claim),
              "Claim{name: given, email: given, phone: given, address: ClaimAddress{street: given, "
              "city: given, postal_code: given}}");
    // The data is still in the fields.
    EXPECT_EQ(owner.names.at(0), "Zoë Łukasiewicz");
    EXPECT_EQ(owner.emails.at(1).address, "zoe@example.net");
    EXPECT_EQ(*owner.addresses.at(1).street, "ul. Floriańska 14");
}
