//! Strategies for the property tests: arbitrary JSON documents, shallow
//! enough to generate quickly, with the keys and strings the decoders and
//! the scenario schema care about mixed in so generated input reaches past
//! the first type check.

use proptest::prelude::*;
use serde_json::{Map, Value};

/// Keys the sandbox's wire types and scenario files use, plus noise.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "type",
            "email",
            "personDetails",
            "firstName",
            "lastName",
            "dob",
            "clientId",
            "name",
            "description",
            "match",
            "effect",
            "vendor",
            "endpoint",
            "client",
            "checkType",
            "header",
            "imageSha256",
            "status",
            "outcome",
            "probe",
            "gallery",
            "search_mode",
            "images",
            "min_score",
            "latencyMs",
            "drop",
            "metadata",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z_.]{0,12}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop::sample::select(vec![
            "person",
            "company",
            "complycube",
            "verifik",
            "checks",
            "attention",
            "clear",
            "standard_screening_check",
            "FAST",
            "",
        ])
        .prop_map(Value::from),
        ".{0,16}".prop_map(Value::from),
    ]
}

/// Any JSON value, at most four levels deep.
pub(crate) fn json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Bytes that are often nearly JSON: a JSON document cut or spliced with
/// arbitrary bytes, or arbitrary bytes alone.
pub(crate) fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        json().prop_map(|v| serde_json::to_vec(&v).unwrap_or_default()),
        (
            json(),
            any::<usize>(),
            prop::collection::vec(any::<u8>(), 0..8)
        )
            .prop_map(|(v, cut, noise)| {
                let mut bytes = serde_json::to_vec(&v).unwrap_or_default();
                let at = cut % (bytes.len() + 1);
                bytes.truncate(at);
                bytes.extend(noise);
                bytes
            }),
        prop::collection::vec(any::<u8>(), 0..64),
    ]
}
