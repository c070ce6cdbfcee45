//! Shared helpers: a sandbox per test and thin safe wrappers over the C ABI,
//! so these tests exercise exactly what C callers get.

#![allow(dead_code)]

use moneykit::ffi::*;
use moneykit_sandbox::{Config, Sandbox};
use serde_json::Value;
use std::ffi::{c_char, CStr, CString};
use std::ptr;

pub const ID: &str = "sandbox-client";
pub const SECRET: &str = "sandbox-secret";

pub fn sandbox() -> Sandbox {
    Sandbox::start(Config::default()).expect("sandbox starts")
}

/// Takes ownership of a library string.
pub fn take(p: *mut c_char) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let s = unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string();
    unsafe { mk_string_free(p) };
    Some(s)
}

pub struct Client(*mut MkClient);

// The C ABI documents clients as safe to share across threads.
unsafe impl Send for Client {}
unsafe impl Sync for Client {}

impl Drop for Client {
    fn drop(&mut self) {
        unsafe { mk_client_free(self.0) };
    }
}

/// Creates a client through `mk_client_new`; Err is (status, error JSON).
pub fn try_client(
    id: Option<&str>,
    secret: Option<&str>,
    options: &str,
) -> Result<Client, (i32, Value)> {
    let id = id.map(|s| CString::new(s).unwrap());
    let secret = secret.map(|s| CString::new(s).unwrap());
    let opts = CString::new(options).unwrap();
    let mut out = ptr::null_mut();
    let mut err = ptr::null_mut();
    let rc = unsafe {
        mk_client_new(
            id.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
            secret.as_ref().map_or(ptr::null(), |s| s.as_ptr()),
            opts.as_ptr(),
            &mut out,
            &mut err,
        )
    };
    let err = take(err);
    if rc == 0 {
        assert!(err.is_none());
        assert!(!out.is_null());
        Ok(Client(out))
    } else {
        assert!(out.is_null());
        Err((
            rc,
            serde_json::from_str(&err.expect("error JSON on failure")).unwrap(),
        ))
    }
}

/// A client for `sandbox` with the given extra options (a JSON object's inner text).
pub fn client(sandbox: &Sandbox, extra: &str) -> Client {
    let sep = if extra.is_empty() { "" } else { ", " };
    let opts = format!(
        r#"{{"base_url": "{}", "retry_base_ms": 10{sep}{extra}}}"#,
        sandbox.base_url()
    );
    try_client(Some(ID), Some(SECRET), &opts).unwrap_or_else(|e| panic!("client: {e:?}"))
}

pub struct Outcome {
    pub status: i32,
    pub json: Option<String>,
    pub error: Option<Value>,
    pub error_text: Option<String>,
}

impl Outcome {
    pub fn body(&self) -> Value {
        serde_json::from_str(self.json.as_deref().expect("a body")).unwrap()
    }
    pub fn err(&self, key: &str) -> &Value {
        &self.error.as_ref().expect("an error")[key]
    }
}

impl Client {
    /// The `mk_client` pointer, for calls these helpers do not wrap.
    pub fn raw(&self) -> *mut MkClient {
        self.0
    }

    pub fn identity(&self, link_id: &str, account_ids: &[&str]) -> Outcome {
        let link = CString::new(link_id).unwrap();
        let ids: Vec<CString> = account_ids
            .iter()
            .map(|s| CString::new(*s).unwrap())
            .collect();
        let ptrs: Vec<*const c_char> = ids.iter().map(|s| s.as_ptr()).collect();
        self.identity_raw(link.as_ptr(), &ptrs)
    }

    pub fn identity_raw(&self, link: *const c_char, ids: &[*const c_char]) -> Outcome {
        let mut json = ptr::null_mut();
        let mut err = ptr::null_mut();
        let rc = unsafe {
            mk_get_identity(
                self.0,
                link,
                if ids.is_empty() {
                    ptr::null()
                } else {
                    ids.as_ptr()
                },
                ids.len(),
                &mut json,
                &mut err,
            )
        };
        let json = take(json);
        let error_text = take(err);
        if rc == 0 {
            assert!(json.is_some() && error_text.is_none());
        } else {
            assert!(json.is_none() && error_text.is_some());
        }
        let error: Option<Value> = error_text
            .as_deref()
            .map(|t| serde_json::from_str(t).unwrap());
        if let Some(e) = &error {
            assert_eq!(e["status"], rc);
            for key in moneykit::core::ERROR_JSON_KEYS {
                assert!(e.get(key).is_some(), "error JSON lacks {key}: {e}");
            }
        }
        Outcome {
            status: rc,
            json,
            error,
            error_text,
        }
    }
}
