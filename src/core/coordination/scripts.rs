//! The server-side scripts: each decision is one atomic script that reads the time with
//! Redis's `TIME`, so the hosts' clocks never matter (keys.rs has the layout).
//!
//! The windows are sliding, as MoneyKit's (and the sandbox's) are: a permit is granted
//! when fewer than `limit` permits are in the window. A permit counts from the latest
//! instant it may be used (a leased one up to its lease time after the grant) for
//! `hold_ms`, the window stretched by a jitter margin (mod.rs), because a permit reaches
//! MoneyKit a little after Redis granted it: any window of MoneyKit's then holds only
//! permits that Redis counted in one of its own.

use redis::Script;

/// Grants permits for a list of links, in order. KEYS: the app key, then one link key per
/// request. ARGV: hold_ms, lease_ms, app limit, link limit, the number R of members to
/// release, R members (leased, never used: removed from the app window), then one new
/// member name per request. A permit is scored at the latest instant it may be used (now
/// plus lease_ms: 0 for a single call, which starts at once) and leaves the windows
/// hold_ms after that. Returns one number per request: 0 granted, else the wait in ms
/// until the app's (or the link's) window has room.
const ACQUIRE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local hold = tonumber(ARGV[1])
local lease = tonumber(ARGV[2])
local app_limit = tonumber(ARGV[3])
local link_limit = tonumber(ARGV[4])
local released = tonumber(ARGV[5])
local app = KEYS[1]
for i = 1, released do
  redis.call('ZREM', app, ARGV[5 + i])
end
redis.call('ZREMRANGEBYSCORE', app, '-inf', now - hold)
local count = redis.call('ZCARD', app)
local out = {}
local granted = 0
for i = 2, #KEYS do
  local wait = 0
  if count >= app_limit then
    local e = redis.call('ZRANGE', app, count - app_limit, count - app_limit, 'WITHSCORES')
    wait = tonumber(e[2]) + hold - now
  else
    local link = KEYS[i]
    redis.call('ZREMRANGEBYSCORE', link, '-inf', now - hold)
    local lc = redis.call('ZCARD', link)
    if lc >= link_limit then
      local e = redis.call('ZRANGE', link, lc - link_limit, lc - link_limit, 'WITHSCORES')
      wait = tonumber(e[2]) + hold - now
    else
      local member = ARGV[5 + released + i - 1]
      redis.call('ZADD', link, now + lease, member)
      redis.call('PEXPIRE', link, hold + lease)
      redis.call('ZADD', app, now + lease, member)
      count = count + 1
      granted = granted + 1
      wait = -1
    end
  end
  if wait == -1 then
    out[#out + 1] = 0
  else
    out[#out + 1] = math.max(1, wait)
  end
end
if granted > 0 then
  redis.call('PEXPIRE', app, hold + lease)
end
return out
";

/// A webhook delivery's claim. KEYS: the seen key. ARGV: claim_timeout_ms. Returns 0 (not
/// seen: claimed now), 1 (handled before) or 2 (claimed by a delivery in flight).
const CLAIM_SEEN: &str = r"
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], 'claimed', 'PX', ARGV[1])
  return 0
end
if v == 'done' then
  return 1
end
return 2
";

/// A link's daily identity refresh. KEYS: the refresh key. ARGV: day_ms. Returns 0 (this
/// refresh is the day's: claimed), else the ms until the day's claim expires.
const CLAIM_REFRESH: &str = r"
if redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then
  return 0
end
return math.max(1, redis.call('PTTL', KEYS[1]))
";

pub struct Scripts {
    pub acquire: Script,
    pub claim_seen: Script,
    pub claim_refresh: Script,
}

impl Scripts {
    pub fn new() -> Scripts {
        Scripts {
            acquire: Script::new(ACQUIRE),
            claim_seen: Script::new(CLAIM_SEEN),
            claim_refresh: Script::new(CLAIM_REFRESH),
        }
    }
}
