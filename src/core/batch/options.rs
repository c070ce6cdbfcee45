//! The batch's options (`mk_batch_start`): the struct, its defaults, bounds and JSON
//! reader are generated from schema/moneykit.json `batch_options`
//! (src/core/call_options_gen.rs); all keys optional, `null` is the default, unknown
//! keys, wrong types and numbers out of range are refused.

pub use crate::core::call_options_gen::{BatchOptions, BATCH_OPTION_KEYS};

impl BatchOptions {
    /// [`BatchOptions::from_json`], with `time_scale` the client's (`client_time_scale`,
    /// its `time_scale` option) when the JSON does not set one (absent or `null`).
    pub fn from_json_for(
        text: Option<&str>,
        client_time_scale: f64,
    ) -> Result<BatchOptions, crate::core::Error> {
        let mut options = BatchOptions::from_json(text)?;
        if !sets_key(text, "time_scale") {
            options.time_scale = client_time_scale;
        }
        Ok(options)
    }

    /// As [`BatchOptions::from_json_for`] with `client`'s time scale, and its
    /// `app_per_minute` / `link_per_minute` when the JSON does not set the batch's own.
    pub fn from_json_for_client(
        text: Option<&str>,
        client: &crate::core::Client,
    ) -> Result<BatchOptions, crate::core::Error> {
        let mut options = BatchOptions::from_json_for(text, client.time_scale())?;
        let (app, link) = client.per_minute();
        if !sets_key(text, "app_per_minute") {
            options.app_per_minute = app;
        }
        if !sets_key(text, "link_per_minute") {
            options.link_per_minute = link;
        }
        Ok(options)
    }

    /// How long a "minute" lasts at this time scale.
    pub fn minute(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(60.0 / self.time_scale)
    }
}

/// Whether an options JSON the reader accepted gives `key` a value (not absent, not `null`).
pub(crate) fn sets_key(text: Option<&str>, key: &str) -> bool {
    text.and_then(|t| crate::core::input_json::parse_object(t).ok())
        .is_some_and(|members| members.get(key).is_some_and(|v| !v.is_null()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_values() {
        assert_eq!(
            BatchOptions::from_json(None).unwrap(),
            BatchOptions::default()
        );
        assert_eq!(
            BatchOptions::from_json(Some("{}")).unwrap(),
            BatchOptions::default()
        );
        let o = BatchOptions::from_json(Some(
            r#"{"concurrency": 4, "app_per_minute": 1200, "link_per_minute": null, "time_scale": 60}"#,
        ))
        .unwrap();
        assert_eq!(o.concurrency, 4);
        assert_eq!(o.app_per_minute, 1200);
        assert_eq!(o.link_per_minute, 3);
        assert_eq!(o.minute(), std::time::Duration::from_secs(1));
    }

    #[test]
    fn the_client_time_scale_applies_unless_the_batch_sets_its_own() {
        let at = |json: Option<&str>| BatchOptions::from_json_for(json, 60.0).unwrap().time_scale;
        assert_eq!(at(None), 60.0);
        assert_eq!(at(Some("{}")), 60.0);
        assert_eq!(at(Some(r#"{"time_scale": null}"#)), 60.0);
        assert_eq!(at(Some(r#"{"concurrency": 2}"#)), 60.0);
        assert_eq!(at(Some(r#"{"time_scale": 1}"#)), 1.0);
        assert_eq!(at(Some(r#"{"time_scale": 7.5}"#)), 7.5);
        assert!(BatchOptions::from_json_for(Some(r#"{"time_scale": 0}"#), 60.0).is_err());
    }

    #[test]
    fn refusals() {
        for bad in [
            r#"{"concurency": 4}"#,
            r#"{"concurrency": 0}"#,
            r#"{"concurrency": 257}"#,
            r#"{"concurrency": "4"}"#,
            r#"{"app_per_minute": -1}"#,
            r#"{"link_per_minute": 0}"#,
            r#"{"time_scale": 0.5}"#,
            r#"[]"#,
            "not json",
        ] {
            let e = BatchOptions::from_json(Some(bad)).unwrap_err();
            assert_eq!(e.status, crate::core::Status::MkErrInvalidArgument, "{bad}");
        }
        let e = BatchOptions::from_json(Some(r#"{"concurency": 4}"#)).unwrap_err();
        assert!(e.message.contains("concurency"), "{}", e.message);
        let e = BatchOptions::from_json(Some(r#"{"concurrency": 0}"#)).unwrap_err();
        assert_eq!(
            e.message,
            "batch option concurrency = 0 is out of range (1 .. 256)"
        );
        let e = BatchOptions::from_json(Some(r#"{"concurrency": 1, "concurrency": 2}"#));
        assert!(e.unwrap_err().message.contains("more than once"));
    }

    /// A set's reader as text: the options' `Debug` (which shows `key: value`) or the message.
    type Reader = fn(&str) -> Result<String, crate::core::Error>;

    /// Every option of schema/moneykit.json's `batch_options` and `refresh_options`, read
    /// here with serde_json rather than through the generator: its key is accepted (in the
    /// key list, in order), its default is `Default`'s, its bounds are accepted and land in
    /// the struct, and one past either bound is refused with the documented message.
    #[test]
    fn bounds_and_defaults_come_from_the_schema() {
        use crate::core::refresh::{RefreshOptions, REFRESH_OPTION_KEYS};
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema/moneykit.json"))
                .unwrap();
        let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
        let batch: Reader = |j| BatchOptions::from_json(Some(j)).map(|o| format!("{o:?}"));
        let refresh: Reader = |j| RefreshOptions::from_json(Some(j)).map(|o| format!("{o:?}"));
        let sets: [(&str, Reader, String, &[&str]); 2] = [
            (
                "batch",
                batch,
                format!("{:?}", BatchOptions::default()),
                &BATCH_OPTION_KEYS,
            ),
            (
                "refresh",
                refresh,
                format!("{:?}", RefreshOptions::default()),
                &REFRESH_OPTION_KEYS,
            ),
        ];
        let mut checked = 0;
        for (stem, read, default, keys) in sets {
            let options = schema[format!("{stem}_options")].as_array().unwrap();
            let schema_keys: Vec<&str> =
                options.iter().map(|o| o["key"].as_str().unwrap()).collect();
            assert_eq!(schema_keys, keys, "{stem}");
            for o in options {
                let key = o["key"].as_str().unwrap();
                let float = match o["type"].as_str().unwrap() {
                    "int" => false,
                    "float" => true,
                    t => panic!("{stem} option {key}: type {t}"),
                };
                // How the struct's Debug shows a value of this option.
                let shown = |v: f64| {
                    if float {
                        format!("{key}: {v:?}")
                    } else {
                        format!("{key}: {}", v as u64)
                    }
                };
                let json = |v: f64| {
                    if float {
                        format!(r#"{{"{key}": {v:?}}}"#)
                    } else {
                        format!(r#"{{"{key}": {}}}"#, v as i64)
                    }
                };
                let (min, max, def) = (
                    o["min"].as_f64().unwrap(),
                    o["max"].as_f64().unwrap(),
                    o["default"].as_f64().unwrap(),
                );
                assert!(min <= def && def <= max, "{stem} option {key}");
                assert_eq!(read(&json(def)).unwrap(), default, "{stem} {key} default");
                assert!(default.contains(&shown(def)), "{default} has {key} = {def}");
                let null = read(&format!(r#"{{"{key}": null}}"#)).unwrap();
                assert_eq!(null, default, "{stem} {key}: null");
                for edge in [min, max] {
                    let got = read(&json(edge))
                        .unwrap_or_else(|e| panic!("{stem} {key} = {edge}: {}", e.message));
                    assert!(got.contains(&shown(edge)), "{got} has {key} = {edge}");
                }
                let mut outside = vec![min - 1.0, max + 1.0];
                if float {
                    outside.extend([min - min.abs() * 1e-9 - 1e-9, max + max.abs() * 1e-9]);
                }
                for bad in outside {
                    let e = read(&json(bad)).expect_err(&json(bad));
                    assert_eq!(e.status, crate::core::Status::MkErrInvalidArgument);
                    // (serde_json may read a long fraction one ulp off: whole numbers only)
                    if bad >= 0.0 && bad == bad.trunc() {
                        let n = if float {
                            format!("{bad}")
                        } else {
                            format!("{}", bad as u64)
                        };
                        assert_eq!(
                            e.message,
                            format!(
                                "{stem} option {key} = {n} is out of range ({} .. {})",
                                o["min"], o["max"]
                            )
                        );
                    }
                }
                checked += 1;
            }
        }
        assert_eq!(checked, BATCH_OPTION_KEYS.len() + REFRESH_OPTION_KEYS.len());
    }
}
