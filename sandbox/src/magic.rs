//! The identity endpoint: credentials and API version first, then the link id's `Answer`
//! (magic_gen.rs, generated from the schema) decides the response.

use std::borrow::Cow;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::auth::auth_error;
use crate::http::{drain, Conn, Request, Transport};
use crate::links::Verdict;
use crate::magic_gen::{classify, Answer};
use crate::realistic::retry_after_secs;
use crate::respond::{error_value, version_error, Ctx, Flow, JSON};
use crate::util::{self, percent_decode};
use crate::{bulk, corpus, faults, fixtures, lock, products};

/// Largest `mk_fault_oversized_*` body (1 GiB).
pub const OVERSIZED_CAP: u64 = 1 << 30;
/// Longest `mk_fault_slow_*` delay.
pub const SLOW_CAP_MS: u64 = 120_000;

/// What an answer needs to know about the request.
struct Link<'r> {
    /// The percent-decoded link id.
    id: &'r str,
    /// What follows the id's prefix: a tag, a number or a corpus name.
    rest: &'r str,
    /// The raw request target.
    target: &'r str,
    /// `Some`: serve only these accounts of a fixture (`?account_ids=`).
    filter: Option<&'r [String]>,
    /// `Some(t)`: a refresh completed; serve `refreshed_at` = t (Unix seconds).
    refreshed: Option<i64>,
}

pub fn handle_identity<T: Transport>(
    ctx: &Ctx,
    req: &Request,
    conn: &mut Conn<T>,
    raw_id: &str,
) -> Flow {
    let shared = ctx.shared;
    ctx.arm_latency();
    let arrival = Instant::now();
    if let Some(f) = auth_error(ctx, req, conn) {
        return f;
    }
    if let Some(f) = version_error(ctx, req, conn) {
        return f;
    }
    let id = percent_decode(raw_id, false);
    let refreshed = match shared.tracker.identity(&id, arrival) {
        Verdict::Allowed(refreshed) => refreshed,
        Verdict::Limited { wait, link, app } => {
            shared.rate_limited.fetch_add(1, Ordering::Relaxed);
            if link {
                shared.rate_limited_link.fetch_add(1, Ordering::Relaxed);
            }
            if app {
                shared.rate_limited_app.fetch_add(1, Ordering::Relaxed);
            }
            return rate_limited(ctx, conn, &retry_after_secs(wait).to_string());
        }
    };
    let filter = account_filter(req.query());
    if let Some(body) = shared.user_fixtures.get(id.as_str()) {
        return send_fixture(ctx, conn, body, filter.as_deref(), refreshed);
    }
    let (answer, rest) = classify(&id);
    let link = Link {
        id: &id,
        rest,
        target: &req.target,
        filter: filter.as_deref(),
        refreshed,
    };
    respond(ctx, conn, answer, &link)
}

/// The 200 body of a fixture answer (what a refresh may apply to); `None` for every
/// other answer and for a prefix id whose rest names nothing.
pub fn fixture_body<'s>(
    shared: &'s crate::Shared,
    answer: Answer,
    rest: &str,
) -> Option<Cow<'s, [u8]>> {
    let fx = &*shared.fixtures;
    match answer {
        // The webhook ids serve the ok body (their webhooks differ: webhooks/).
        Answer::Ok
        | Answer::WebhookRefreshFailed
        | Answer::WebhookDuplicate
        | Answer::WebhookOutOfOrder
        | Answer::WebhookBadSignature
        | Answer::WebhookStaleIat
        | Answer::WebhookFutureIat
        | Answer::WebhookUnknownKid
        | Answer::WebhookTamperedBody
        | Answer::WebhookAlgNone
        | Answer::WebhookHs256 => Some(Cow::Borrowed(&fx.ok)),
        Answer::Unicode => Some(Cow::Borrowed(&fx.unicode)),
        Answer::Minimal => Some(Cow::Borrowed(&fx.minimal)),
        Answer::ExtraFields => Some(Cow::Borrowed(&fx.extra_fields)),
        Answer::Large => Some(Cow::Borrowed(fx.large())),
        Answer::Refreshing => Some(Cow::Owned(
            fx.refreshing(shared.refreshing.load(Ordering::SeqCst)),
        )),
        Answer::Bulk => bulk::body(rest).map(Cow::Owned),
        Answer::Corpus => corpus::body(rest).map(Cow::Borrowed),
        Answer::Forbidden
        | Answer::Deleted
        | Answer::BadState
        | Answer::Validation
        | Answer::OtherApp
        | Answer::BadRequest
        | Answer::RateLimited
        | Answer::RateLimitedLong
        | Answer::RateLimitedDate
        | Answer::RateLimitedNoHeader
        | Answer::Fault500
        | Answer::Fault503
        | Answer::Html502
        | Answer::Malformed
        | Answer::Empty
        | Answer::WrongShape
        | Answer::Deep
        | Answer::Truncated
        | Answer::Silent
        | Answer::Trickle
        | Answer::Reset
        | Answer::RedirectSameHost
        | Answer::RedirectOtherHost
        | Answer::RedirectLoop
        | Answer::Fault500Once
        | Answer::Fault503Once
        | Answer::Fault429Once
        | Answer::FaultDateOnce
        | Answer::FaultExpiredOnce
        | Answer::Slow
        | Answer::RedirectSlow
        | Answer::OversizedChunked
        | Answer::Oversized
        | Answer::NotFound => None,
    }
}

/// Answers exactly as `GET /links/{id}/identity` would (no filter, no refresh state):
/// what `POST /links/{id}/products` does for ids that are not 200 fixtures.
pub fn respond_as_identity<T: Transport>(
    ctx: &Ctx,
    conn: &mut Conn<T>,
    answer: Answer,
    id: &str,
    rest: &str,
    target: &str,
) -> Flow {
    let link = Link {
        id,
        rest,
        target,
        filter: None,
        refreshed: None,
    };
    respond(ctx, conn, answer, &link)
}

/// Any `account_ids` key present → filter (even down to nothing).
fn account_filter(query: &str) -> Option<Vec<String>> {
    let pairs = util::parse_form(query);
    pairs.iter().any(|(k, _)| k == "account_ids").then(|| {
        pairs
            .into_iter()
            .filter(|(k, _)| k == "account_ids")
            .map(|(_, v)| v)
            .collect()
    })
}

/// Every answer of the schema, with no catch-all arm: an answer added to the schema does
/// not compile until it is handled here.
fn respond<T: Transport>(ctx: &Ctx, conn: &mut Conn<T>, answer: Answer, link: &Link) -> Flow {
    // Faults write without `Ctx::send`: the latency comes first for every answer.
    ctx.pause();
    let shared = ctx.shared;
    let fx = &*shared.fixtures;
    let fixture = |conn: &mut Conn<T>, body: &[u8]| {
        send_fixture(ctx, conn, body, link.filter, link.refreshed)
    };
    let ok = |conn: &mut Conn<T>| fixture(conn, &fx.ok);
    // "once" faults: the fault for the first request with this exact id, then the ok body.
    let once = |conn: &mut Conn<T>, fault: &dyn Fn(&mut Conn<T>) -> Flow| {
        if lock(&shared.once).insert(link.id.to_string()) {
            fault(conn)
        } else {
            ok(conn)
        }
    };
    let retry1 = [("retry-after", "1")];
    match answer {
        Answer::Ok => ok(conn),
        // The webhook ids serve the ok body (their webhooks differ: webhooks/).
        Answer::WebhookRefreshFailed
        | Answer::WebhookDuplicate
        | Answer::WebhookOutOfOrder
        | Answer::WebhookBadSignature
        | Answer::WebhookStaleIat
        | Answer::WebhookFutureIat
        | Answer::WebhookUnknownKid
        | Answer::WebhookTamperedBody
        | Answer::WebhookAlgNone
        | Answer::WebhookHs256 => ok(conn),
        Answer::Unicode => fixture(conn, &fx.unicode),
        Answer::Minimal => fixture(conn, &fx.minimal),
        Answer::ExtraFields => fixture(conn, &fx.extra_fields),
        Answer::Large => fixture(conn, fx.large()),
        Answer::Refreshing => {
            let n = shared.refreshing.fetch_add(1, Ordering::SeqCst);
            fixture(conn, &fx.refreshing(n))
        }
        Answer::Bulk => match bulk::body(link.rest) {
            Some(body) => fixture(conn, &body),
            None => not_found(ctx, conn),
        },
        Answer::Corpus => match corpus::body(link.rest) {
            // As they are, unless a refresh completed (then `refreshed_at` is patched).
            Some(body) if link.refreshed.is_some() => fixture(conn, body),
            Some(body) => ctx.send(conn, 200, JSON, &[], &[body]),
            None => not_found(ctx, conn),
        },
        Answer::Forbidden => ctx.error(
            conn,
            403,
            &[],
            "link_error.forbidden_action",
            "Accounts access not permitted",
        ),
        Answer::Deleted => ctx.error(
            conn,
            410,
            &[],
            "link_error.deleted",
            "This link was deleted at some earlier time.",
        ),
        Answer::BadState => {
            let mut v = error_value(
                "link_error.bad_state",
                "The link's authorization with the institution has expired; reconnect the link.",
            );
            v["link_error_code"] = json!("auth_expired");
            ctx.json(conn, 422, &v)
        }
        Answer::Validation => {
            let mut v = error_value(
                "api_error.request.validation_failed",
                "Request validation failed.",
            );
            v["validation_errors"] = json!([{
                "location": ["query", "account_ids", 0],
                "message": "account_ids must be MoneyKit account ids (acc_...)",
                "type": "value_error",
            }]);
            ctx.json(conn, 422, &v)
        }
        Answer::OtherApp => ctx.error(
            conn,
            401,
            &[],
            "link_error.unauthorized_access",
            "Unauthorized link access.",
        ),
        Answer::BadRequest => ctx.error(
            conn,
            400,
            &[],
            "api_error.request.bad_request",
            "Bad request.",
        ),
        Answer::RateLimited => rate_limited(ctx, conn, "1"),
        Answer::RateLimitedLong => rate_limited(ctx, conn, "3600"),
        Answer::RateLimitedDate => rate_limited(ctx, conn, &util::http_date_in(2)),
        Answer::RateLimitedNoHeader => ctx.error(
            conn,
            429,
            &[],
            "api_error.rate_limit_exceeded",
            "Rate limit exceeded",
        ),
        Answer::Fault500 => internal(ctx, conn, 500, &[]),
        Answer::Fault503 => internal(ctx, conn, 503, &retry1),
        Answer::Html502 => ctx.send(
            conn,
            502,
            "text/html",
            &[],
            &[b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>awselb/2.0</center>\r\n</body>\r\n</html>\r\n"],
        ),
        Answer::Malformed => ctx.send(conn, 200, JSON, &[], &[br#"{"accounts": [{"account_id": "#]),
        Answer::Empty => ctx.send(conn, 200, JSON, &[], &[]),
        Answer::WrongShape => ctx.send(conn, 200, JSON, &[], &[br#"{"accounts": 5, "link": "x"}"#]),
        Answer::Deep => ctx.send(conn, 200, JSON, &[], &[&fx.deep]),
        Answer::Truncated => faults::truncated(ctx, conn, &fx.ok),
        Answer::Silent => {
            drain(conn.io.tcp(), Duration::from_secs(120));
            Flow::Abort
        }
        Answer::Trickle => faults::trickle(ctx, conn, &fx.ok),
        Answer::Reset => faults::reset(ctx, conn, &fx.ok),
        Answer::RedirectSameHost => redirect(ctx, conn, "/links/mk_sandbox_ok/identity"),
        Answer::RedirectOtherHost => {
            let loc = format!(
                "{}://localhost:{}/links/mk_sandbox_ok/identity",
                shared.scheme(),
                shared.port
            );
            redirect(ctx, conn, &loc)
        }
        Answer::RedirectLoop => redirect(ctx, conn, link.target),
        Answer::Fault500Once => once(conn, &|conn| internal(ctx, conn, 500, &[])),
        Answer::Fault503Once => once(conn, &|conn| internal(ctx, conn, 503, &retry1)),
        Answer::Fault429Once => once(conn, &|conn| rate_limited(ctx, conn, "1")),
        Answer::FaultDateOnce => once(conn, &|conn| {
            let date = util::http_date_in(1);
            internal(ctx, conn, 503, &[("retry-after", &date)])
        }),
        Answer::FaultExpiredOnce => once(conn, &|conn| {
            ctx.error(
                conn,
                401,
                &[("www-authenticate", "Bearer")],
                "api_error.auth.expired_access_token",
                "Access token expired",
            )
        }),
        Answer::Slow => {
            std::thread::sleep(Duration::from_millis(number(link).min(SLOW_CAP_MS)));
            ok(conn)
        }
        Answer::RedirectSlow => {
            std::thread::sleep(Duration::from_millis(number(link).min(SLOW_CAP_MS)));
            redirect(ctx, conn, link.target)
        }
        Answer::OversizedChunked => {
            faults::oversized(ctx, conn, &fx.ok, number(link).min(OVERSIZED_CAP), true)
        }
        Answer::Oversized => {
            faults::oversized(ctx, conn, &fx.ok, number(link).min(OVERSIZED_CAP), false)
        }
        Answer::NotFound => not_found(ctx, conn),
    }
}

/// The `<ms>` or `<bytes>` of a prefix id (at most 19 digits, so it always fits).
fn number(link: &Link) -> u64 {
    link.rest.parse().unwrap_or(u64::MAX)
}

fn not_found<T: Transport>(ctx: &Ctx, conn: &mut Conn<T>) -> Flow {
    ctx.error(conn, 404, &[], "link_error.not_found", "Link not found.")
}

fn send_fixture<T: Transport>(
    ctx: &Ctx,
    conn: &mut Conn<T>,
    body: &[u8],
    filter: Option<&[String]>,
    refreshed: Option<i64>,
) -> Flow {
    if filter.is_none() && refreshed.is_none() {
        return ctx.send(conn, 200, JSON, &[], &[body]);
    }
    let mut v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if let Some(t) = refreshed {
        if let Some(link) = v.get_mut("link") {
            products::set_refreshed_at(link, t);
        }
    }
    match filter {
        None => ctx.json(conn, 200, &v),
        Some(ids) => ctx.json(conn, 200, &fixtures::filter_accounts(&v, ids)),
    }
}

fn rate_limited<T: Transport>(ctx: &Ctx, conn: &mut Conn<T>, retry_after: &str) -> Flow {
    ctx.error(
        conn,
        429,
        &[("retry-after", retry_after)],
        "api_error.rate_limit_exceeded",
        "Rate limit exceeded",
    )
}

fn internal<T: Transport>(
    ctx: &Ctx,
    conn: &mut Conn<T>,
    status: u16,
    extra: &[(&str, &str)],
) -> Flow {
    let msg = if status == 503 {
        "Service temporarily unavailable."
    } else {
        "Internal server error."
    };
    ctx.error(conn, status, extra, "api_error.internal", msg)
}

fn redirect<T: Transport>(ctx: &Ctx, conn: &mut Conn<T>, location: &str) -> Flow {
    ctx.send(
        conn,
        302,
        "text/plain; charset=utf-8",
        &[("location", location)],
        &[],
    )
}

#[cfg(test)]
mod tests {
    use crate::magic_gen::{classify, Answer, DEFAULT, IDS};

    /// A concrete link id for a schema id or pattern.
    fn example(pattern: &str) -> String {
        if pattern.starts_with('(') {
            return "mk_no_such_link".to_string();
        }
        pattern
            .replace("<tag>", "t1")
            .replace("<ms>", "5")
            .replace("<bytes>", "1000")
            .replace("<name>", "some_body")
            .replace("<n>", "42")
    }

    #[test]
    fn every_schema_id_is_classified_as_its_answer() {
        assert!(IDS.len() > 30, "the schema lists every magic id");
        for &(pattern, answer) in IDS {
            let id = example(pattern);
            assert_eq!(classify(&id).0, answer, "{pattern} as {id}");
            if answer != DEFAULT {
                assert_ne!(classify(&id).0, Answer::NotFound, "{id}");
            }
        }
    }

    #[test]
    fn prefix_suffixes() {
        assert_eq!(classify("mk_fault_500_once"), (Answer::Fault500Once, ""));
        assert_eq!(
            classify("mk_fault_500_once_a"),
            (Answer::Fault500Once, "_a")
        );
        assert_eq!(classify("mk_fault_500_oncex").0, Answer::NotFound);
        assert_eq!(classify("mk_fault_slow_250"), (Answer::Slow, "250"));
        assert_eq!(classify("mk_fault_slow_").0, Answer::NotFound);
        assert_eq!(classify("mk_fault_slow_2x").0, Answer::NotFound);
        assert_eq!(
            classify("mk_fault_slow_12345678901234567890").0,
            Answer::NotFound
        );
        assert_eq!(
            classify("mk_fault_oversized_chunked_7"),
            (Answer::OversizedChunked, "7")
        );
        assert_eq!(classify("mk_fault_oversized_7"), (Answer::Oversized, "7"));
        assert_eq!(classify("mk_corpus_x"), (Answer::Corpus, "x"));
        assert_eq!(classify("mk_corpus_").0, Answer::NotFound);
        assert_eq!(classify("mk_sandbox_ok"), (Answer::Ok, ""));
        assert_eq!(classify("mk_sandbox_okx").0, Answer::NotFound);
    }
}
