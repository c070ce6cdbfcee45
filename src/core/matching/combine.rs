//! The combination: one score per owner from its field scores, the best owner per account
//! and the best account.
//!
//! An owner's `score` is the weighted mean of the field scores that are not `null` (the claim
//! and the owner both have a value): name 40, email 20, phone 20, address 20, rounded; 0 when
//! every field is `null`. So a claim of name and email weighs the name twice the email, and a
//! claim of one field scores that field. Per account the owner with the highest `score` is
//! kept (the first on ties); `best` is the account entry with the highest `score` (the first
//! on ties) among accounts that have owners.

use super::address;
use super::claim::Claim;
use super::prepared::{PreparedIdentity, PreparedOwner, Values};
use super::{email, name, phone, AccountMatch, AddressScore, FieldScore, NameScore, OwnerMatch};

const NAME_WEIGHT: u32 = 40;
const EMAIL_WEIGHT: u32 = 20;
const PHONE_WEIGHT: u32 = 20;
const ADDRESS_WEIGHT: u32 = 20;

/// The weighted mean of the present field scores (0 when none is present).
pub fn combine(name: Option<u8>, email: Option<u8>, phone: Option<u8>, address: Option<u8>) -> u8 {
    let parts = [
        (name, NAME_WEIGHT),
        (email, EMAIL_WEIGHT),
        (phone, PHONE_WEIGHT),
        (address, ADDRESS_WEIGHT),
    ];
    let (mut total, mut weight) = (0u32, 0u32);
    for (score, w) in parts {
        if let Some(s) = score {
            total += u32::from(s) * w;
            weight += w;
        }
    }
    // Rounded half up, in integers so every language agrees; 0 when nothing is present.
    (total + weight / 2)
        .checked_div(weight)
        .map_or(0, |s| s as u8)
}

/// The claim's score against each distinct owner value, computed on first use (`None`
/// until then); kept only when some value is an owner's more than once (`refs` > `n`).
struct Memo<T>(Vec<Option<T>>);

impl<T: Copy> Memo<T> {
    fn new(n: usize, refs: usize) -> Memo<T> {
        Memo(if refs > n { vec![None; n] } else { Vec::new() })
    }

    fn get(&mut self, i: u32, score: impl FnOnce(usize) -> T) -> T {
        let i = i as usize;
        match self.0.get_mut(i) {
            Some(memo) => *memo.get_or_insert_with(|| score(i)),
            None => score(i),
        }
    }
}

/// The first of the highest scores (`None` when there is none).
fn first_best<T: Copy>(scores: impl Iterator<Item = T>, key: impl Fn(&T) -> u8) -> Option<T> {
    let mut best: Option<T> = None;
    for s in scores {
        if best.as_ref().map_or(true, |b| key(&s) > key(b)) {
            best = Some(s);
        }
    }
    best
}

/// The claim's field scores against every owner's values.
struct Scorer<'a> {
    claim: &'a Claim,
    values: &'a Values,
    names: Memo<NameScore>,
    emails: Memo<u8>,
    phones: Memo<u8>,
    addresses: Memo<Option<AddressScore>>,
}

impl<'a> Scorer<'a> {
    fn new(claim: &'a Claim, identity: &'a PreparedIdentity) -> Scorer<'a> {
        let values = &identity.values;
        let owners = || identity.accounts.iter().flat_map(|a| &a.owners);
        let refs = |f: fn(&PreparedOwner) -> usize| owners().map(f).sum::<usize>();
        Scorer {
            claim,
            values,
            names: Memo::new(values.names.len(), refs(|o| o.names.len())),
            emails: Memo::new(values.emails.len(), refs(|o| o.emails.len())),
            phones: Memo::new(values.phones.len(), refs(|o| o.phones.len())),
            addresses: Memo::new(values.addresses.len(), refs(|o| o.addresses.len())),
        }
    }

    /// Scores one prepared owner against the claim: per field the best of the owner's
    /// values (the first on ties), `None` when the claim or the owner has no value.
    fn owner(&mut self, account_id: &str, index: usize, owner: &PreparedOwner) -> AccountMatch {
        let (c, v) = (self.claim, self.values);
        let name = c.name.as_ref().and_then(|c| {
            let memo = &mut self.names;
            let scores = owner.names.iter();
            let scores = scores.map(|&i| memo.get(i, |i| name::score(c, &v.names[i])));
            first_best(scores, |s| s.score)
        });
        let email = c.email.as_ref().and_then(|c| {
            let memo = &mut self.emails;
            let scores = owner.emails.iter();
            first_best(
                scores.map(|&i| memo.get(i, |i| email::score(c, &v.emails[i]))),
                |s| *s,
            )
        });
        let phone = c.phone.as_ref().and_then(|c| {
            let memo = &mut self.phones;
            let scores = owner.phones.iter();
            first_best(
                scores.map(|&i| memo.get(i, |i| phone::score(c, &v.phones[i]))),
                |s| *s,
            )
        });
        let address = c.address.as_ref().and_then(|c| {
            let memo = &mut self.addresses;
            let scores = owner.addresses.iter();
            let scores =
                scores.filter_map(|&i| memo.get(i, |i| address::score(c, &v.addresses[i])));
            first_best(scores, |s| s.score)
        });
        AccountMatch {
            account_id: account_id.to_string(),
            owner_index: Some(index),
            score: combine(
                name.map(|n| n.score),
                email,
                phone,
                address.map(|a| a.score),
            ),
            name,
            email: email.map(|score| FieldScore { score }),
            phone: phone.map(|score| FieldScore { score }),
            address,
        }
    }
}

/// Matches the claim against every account's prepared owners.
pub(super) fn match_identity(identity: &PreparedIdentity, claim: &Claim) -> OwnerMatch {
    let mut scorer = Scorer::new(claim, identity);
    let mut accounts = Vec::with_capacity(identity.accounts.len());
    let mut best: Option<usize> = None;
    for account in &identity.accounts {
        let mut kept: Option<AccountMatch> = None;
        for (i, owner) in account.owners.iter().enumerate() {
            let m = scorer.owner(&account.account_id, i, owner);
            if kept.as_ref().map_or(true, |k| m.score > k.score) {
                kept = Some(m);
            }
        }
        let entry = match kept {
            Some(m) => {
                if best.map_or(true, |b: usize| m.score > accounts_score(&accounts, b)) {
                    best = Some(accounts.len());
                }
                m
            }
            None => AccountMatch {
                account_id: account.account_id.clone(),
                owner_index: None,
                score: 0,
                name: None,
                email: None,
                phone: None,
                address: None,
            },
        };
        accounts.push(entry);
    }
    OwnerMatch {
        best: best.map(|b| accounts[b].clone()),
        accounts,
    }
}

fn accounts_score(accounts: &[AccountMatch], i: usize) -> u8 {
    accounts[i].score
}

#[cfg(test)]
mod tests {
    use super::combine;

    #[test]
    fn weighted_mean() {
        assert_eq!(combine(None, None, None, None), 0);
        assert_eq!(combine(Some(95), None, None, None), 95);
        assert_eq!(combine(Some(95), Some(100), Some(100), Some(80)), 94);
        assert_eq!(combine(Some(0), Some(100), None, None), 33);
        assert_eq!(combine(None, Some(50), Some(51), None), 51);
    }
}
