//! The engine's precedence, arming, matching and catalog rules.

use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::catalog::Catalog;
use super::compile::compile;
use super::engine::{Engine, Source};
use super::matching::{Facts, Request};
use super::model::{SCENARIO_HEADER, Scenario};
use super::vocabulary::{Key, Kind, Vocabulary};
use crate::tenant::TenantData;

static VOC: Vocabulary = Vocabulary {
    vendor: "v",
    endpoints: &["checks", "riskProfile"],
    facts: &[
        Key::fact("checkType", "check type", true),
        Key::fact_ignoring_case("client.lastName", "client last name"),
    ],
    effects: &[Key::effect("outcome", Kind::Text)],
};

struct F<'a> {
    check_type: &'a str,
    last: Option<&'a str>,
}

impl Facts for F<'_> {
    fn fact(&self, path: &str) -> Option<&str> {
        match path {
            "checkType" => Some(self.check_type),
            "client.lastName" => self.last,
            _ => None,
        }
    }
}

fn scenario(v: Value) -> Scenario {
    compile(serde_json::from_value(v).unwrap(), &[&VOC]).unwrap()
}

fn engine() -> Engine {
    Engine::new(
        vec![&VOC],
        Catalog::new(vec![
            scenario(json!({"name":"attention","description":"d",
                "match":{"client":{"lastName":"attention"}},"effect":{"outcome":"attention"}})),
            scenario(json!({"name":"face-mismatch","description":"d",
                "match":{"client":{"lastName":"face-mismatch"}},"effect":{"outcome":"attention"}})),
        ])
        .unwrap(),
        None,
    )
}

fn pick(e: &Engine, tenant: &str, h: &HeaderMap, ty: &str, last: Option<&str>) -> (Source, String) {
    let facts = F {
        check_type: ty,
        last,
    };
    let req = Request {
        vendor: "v",
        endpoint: "checks",
        facts: &facts,
        headers: h,
        image_sha256: &[],
    };
    let (s, _) = e.select(tenant, &req).expect("known scenario");
    (s.source, s.name().to_owned())
}

fn header(name: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(SCENARIO_HEADER, name.parse().unwrap());
    h
}

/// Every combination of the three layers: the first present one wins.
#[test]
fn precedence_matrix() {
    for armed in [false, true] {
        for named in [false, true] {
            for fixture in [false, true] {
                let e = engine();
                if armed {
                    e.armed_set().arm(
                        "t",
                        scenario(json!({"name":"armed","description":"d"})),
                        None,
                    );
                }
                let h = if named {
                    header("face-mismatch")
                } else {
                    HeaderMap::new()
                };
                let last = if fixture { "Attention" } else { "Doe" };
                let got = pick(&e, "t", &h, "identity_check", Some(last));
                let want = if armed {
                    (Source::Armed, "armed")
                } else if named {
                    (Source::Header, "face-mismatch")
                } else if fixture {
                    (Source::Fixture, "attention")
                } else {
                    (Source::Default, "default")
                };
                assert_eq!(
                    (got.0, got.1.as_str()),
                    want,
                    "armed={armed} header={named} fixture={fixture}"
                );
            }
        }
    }
}

#[test]
fn armed_rules_limit_which_requests_consume_it() {
    let e = engine();
    e.armed_set().arm(
        "t",
        scenario(json!({"name":"only-docs","description":"d",
            "match":{"checkType":"document_check"},"effect":{"outcome":"attention"}})),
        Some(2),
    );
    let none = HeaderMap::new();
    for _ in 0..3 {
        assert_eq!(
            pick(&e, "t", &none, "identity_check", None).0,
            Source::Default
        );
    }
    assert_eq!(e.armed("t")[0].1, Some(2));
    for _ in 0..2 {
        assert_eq!(pick(&e, "t", &none, "document_check", None).1, "only-docs");
    }
    assert!(e.armed("t").is_empty(), "used up after two");
    assert_eq!(
        pick(&e, "t", &none, "document_check", None).0,
        Source::Default
    );
}

#[test]
fn armed_without_times_stays_until_disarmed_and_is_per_tenant() {
    let e = engine();
    e.armed_set().arm(
        "t",
        scenario(json!({"name":"sticky","description":"d"})),
        None,
    );
    let none = HeaderMap::new();
    for _ in 0..5 {
        assert_eq!(pick(&e, "t", &none, "x", None).1, "sticky");
    }
    assert_eq!(pick(&e, "u", &none, "x", None).1, "default");
    assert!(e.armed_set().disarm("u", "sticky").is_none());
    assert!(e.armed_set().disarm("t", "STICKY").is_some());
    assert_eq!(pick(&e, "t", &none, "x", None).1, "default");
}

#[test]
fn rearming_a_name_replaces_it_and_resets_clear_tenants() {
    let e = engine();
    e.armed_set().arm(
        "t",
        scenario(json!({"name":"x","description":"one"})),
        Some(1),
    );
    e.armed_set().arm(
        "t",
        scenario(json!({"name":"x","description":"two"})),
        Some(3),
    );
    e.armed_set()
        .arm("u", scenario(json!({"name":"y","description":"d"})), None);
    let armed = e.armed("t");
    assert_eq!(armed.len(), 1);
    assert_eq!(
        (armed[0].0.description.as_str(), armed[0].1),
        ("two", Some(3))
    );
    e.armed_set().reset_tenant("t");
    assert!(e.armed("t").is_empty());
    assert_eq!(e.armed("u").len(), 1);
    e.armed_set().reset_all();
    assert!(e.armed("u").is_empty());
}

#[test]
fn unknown_header_is_an_error_unless_armed_and_names_close_scenarios() {
    let e = engine();
    let h = header("face-mismatc");
    let facts = F {
        check_type: "x",
        last: Some("attention"),
    };
    let req = Request {
        vendor: "v",
        endpoint: "checks",
        facts: &facts,
        headers: &h,
        image_sha256: &[],
    };
    let err = e.select("t", &req).unwrap_err();
    assert_eq!(err.suggestions, vec!["face-mismatch".to_owned()]);
    assert_eq!(
        err.message(),
        "Unknown sandbox scenario 'face-mismatc' in the X-Sandbox-Scenario header; did you mean: face-mismatch"
    );
    let far = header("zzzzzzzzzzzzzzzzzz");
    let req = Request {
        headers: &far,
        ..req
    };
    assert!(
        e.select("t", &req)
            .unwrap_err()
            .message()
            .ends_with("GET /__admin/scenarios lists them")
    );
    e.armed_set().arm(
        "t",
        scenario(json!({"name":"armed","description":"d"})),
        None,
    );
    assert_eq!(e.select("t", &req).unwrap().0.name(), "armed");
}

#[test]
fn header_is_trimmed_case_insensitive_and_can_force_the_default() {
    let e = engine();
    assert_eq!(
        pick(&e, "t", &header("  Face-Mismatch "), "x", None).1,
        "face-mismatch"
    );
    assert_eq!(
        pick(&e, "t", &header("default"), "x", Some("attention")),
        (Source::Header, "default".to_owned())
    );
    assert_eq!(
        pick(&e, "t", &header(""), "x", Some("attention")).0,
        Source::Fixture,
        "an empty header is no header"
    );
}

#[test]
fn replacing_the_catalog_is_seen_at_once_and_keeps_armed_ones() {
    let e = engine();
    e.armed_set().arm(
        "t",
        scenario(json!({"name":"armed","description":"d","match":{"checkType":"document_check"}})),
        None,
    );
    e.replace_catalog(
        Catalog::new(vec![scenario(
            json!({"name":"brand-new","description":"d"}),
        )])
        .unwrap(),
    );
    assert_eq!(
        pick(&e, "t", &header("brand-new"), "x", None).1,
        "brand-new"
    );
    let facts = F {
        check_type: "x",
        last: None,
    };
    let h = header("attention");
    let req = Request {
        vendor: "v",
        endpoint: "checks",
        facts: &facts,
        headers: &h,
        image_sha256: &[],
    };
    assert!(e.select("t", &req).is_err(), "old names are gone");
    assert_eq!(e.armed("t").len(), 1);
}

#[test]
fn duplicate_names_are_rejected_ignoring_case_naming_both_files() {
    let mut a = scenario(json!({"name":"dup","description":"d"}));
    a.file = Some("a.json".into());
    let mut b = scenario(json!({"name":"DUP","description":"d"}));
    b.file = Some("b.json".into());
    assert_eq!(
        Catalog::new(vec![a, b]).unwrap_err(),
        "b.json: scenario name 'DUP' is already defined in a.json"
    );
}

#[test]
fn match_rules_all_must_hold() {
    let h = HeaderMap::new();
    let sha = [7u8; 32];
    let facts = F {
        check_type: "document_check",
        last: Some("Ann"),
    };
    let base = Request {
        vendor: "v",
        endpoint: "checks",
        facts: &facts,
        headers: &h,
        image_sha256: std::slice::from_ref(&sha),
    };
    let cases = [
        (json!({}), false),
        (json!({"vendor":"v"}), true),
        (json!({"endpoint":["riskProfile","checks"]}), true),
        (json!({"endpoint":"riskProfile"}), false),
        (json!({"checkType":"identity_check"}), false),
        (json!({"client":{"lastName":"aNN"}}), true),
        (json!({"client":{"lastName":"x"}}), false),
        (json!({"header":{"x-test":"1"}}), false),
        (
            json!({"imageSha256": hex::encode(sha).to_uppercase()}),
            true,
        ),
        (json!({"imageSha256": hex::encode([8u8; 32])}), false),
        (
            json!({"vendor":"v","checkType":"document_check","client":{"lastName":"x"}}),
            false,
        ),
    ];
    for (rules, want) in cases {
        let s = scenario(json!({"name":"s","description":"d","match":rules}));
        assert_eq!(s.matches(&base), want, "{rules}");
    }
    let nobody = F {
        check_type: "document_check",
        last: None,
    };
    let s = scenario(json!({"name":"s","description":"d","match":{"client":{"lastName":"Ann"}}}));
    assert!(
        !s.matches(&Request {
            facts: &nobody,
            ..base
        }),
        "a fact rule needs the fact"
    );
}

proptest::proptest! {
    /// Any scenario the compiler accepts can be matched against any facts
    /// and headers without panicking; a compiled `checkType` rule matches
    /// exactly the requests carrying that check type.
    #[test]
    fn any_compiled_scenario_matches_without_panicking(
        rules in crate::arbitrary::json(),
        check_type in "[a-z_]{0,12}",
        last in proptest::option::of(".{0,8}"),
        header in ".{0,8}",
    ) {
        let mut headers = HeaderMap::new();
        if let Ok(v) = header.parse() {
            headers.insert(SCENARIO_HEADER, v);
        }
        let facts = F { check_type: &check_type, last: last.as_deref() };
        let req = Request {
            vendor: "v",
            endpoint: "checks",
            facts: &facts,
            headers: &headers,
            image_sha256: &[[7; 32]],
        };
        let wild = json!({"name": "p", "description": "d", "match": rules});
        if let Ok(raw) = serde_json::from_value(wild) {
            if let Ok(s) = compile(raw, &[&VOC]) {
                let _ = s.matches(&req);
                let _ = s.applies_to(&req);
            }
        }
        let exact = scenario(json!({"name": "t", "description": "d",
            "match": {"checkType": "document_check"}}));
        proptest::prop_assert_eq!(exact.matches(&req), check_type == "document_check");
    }
}
