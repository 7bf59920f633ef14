//! Deep-merging a scenario's JSON over a rendered result.

use serde_json::Value;

/// Deep-merges `patch` into `target`: objects merge key by key, anything else replaces.
pub(crate) fn deep_merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                match t.get_mut(k) {
                    Some(existing) => deep_merge(existing, v),
                    None => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deep_merge_replaces_leaves_and_keeps_siblings() {
        let mut v =
            json!({"faceAnalysis":{"facialSimilarity":"clear","previouslyEnrolledFace":"clear"}});
        deep_merge(
            &mut v,
            &json!({"faceAnalysis":{"facialSimilarity":"attention"}}),
        );
        assert_eq!(
            v,
            json!({"faceAnalysis":{"facialSimilarity":"attention","previouslyEnrolledFace":"clear"}})
        );
    }
}
