//! Audit log entries: one for every change a key makes to its clients,
//! addresses, documents, live photos and videos, checks, webhooks, flow and
//! workflow sessions. An entry keeps the resource as it was before and after
//! the change, so its `diff` is computed when it is read. Recording them
//! (bounded to [`MAX_ENTRIES`] per tenant) and the routes are
//! [`super::audit_log`].

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::model::{ts, ts_back};
use crate::ids::{Millis, ObjectId, iso_millis};

/// Entries kept per tenant; the oldest go first.
pub(crate) const MAX_ENTRIES: usize = 1000;

/// `create`, `update` or `delete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }
}

/// One stored entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AuditEntry {
    pub(crate) id: ObjectId,
    pub(crate) resource_type: String,
    pub(crate) resource_id: ObjectId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) client_id: Option<ObjectId>,
    pub(crate) trigger: String,
    pub(crate) action: Action,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) before: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) after: Option<Value>,
    #[serde(serialize_with = "ts", deserialize_with = "ts_back")]
    pub(crate) created_at: Millis,
}

/// What changed, as the handler describes it.
pub(crate) struct Change<'a> {
    pub(crate) resource_type: &'static str,
    pub(crate) resource_id: ObjectId,
    pub(crate) client_id: Option<ObjectId>,
    pub(crate) trigger: &'a str,
    pub(crate) action: Action,
}

impl<'a> Change<'a> {
    pub(crate) fn new(
        resource_type: &'static str,
        resource_id: ObjectId,
        client_id: Option<ObjectId>,
        trigger: &'a str,
        action: Action,
    ) -> Self {
        Change {
            resource_type,
            resource_id,
            client_id,
            trigger,
            action,
        }
    }
}

/// A resource as the audit log keeps it (its wire JSON).
pub(crate) fn snapshot<T: Serialize + ?Sized>(v: &T) -> Option<Value> {
    serde_json::to_value(v).ok().filter(|v| !v.is_null())
}

/// The entry as ComplyCube answers it; `diff` only for a single entry.
/// Changes made with the API key belong to no team member, so `memberId`
/// is absent.
pub(crate) fn render(e: &AuditEntry, with_diff: bool) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(e.id));
    m.insert("resourceType".into(), json!(e.resource_type));
    m.insert("resourceId".into(), json!(e.resource_id));
    if let Some(c) = e.client_id {
        m.insert("clientId".into(), json!(c));
    }
    m.insert("trigger".into(), json!(e.trigger));
    m.insert("action".into(), json!(e.action.as_str()));
    if with_diff {
        let mut out = Vec::new();
        diff(
            &mut Vec::new(),
            e.before.as_ref(),
            e.after.as_ref(),
            &mut out,
        );
        m.insert("diff".into(), Value::Array(out));
    }
    m.insert("createdAt".into(), json!(iso_millis(e.created_at)));
    Value::Object(m)
}

/// ComplyCube's diff: `{action: new|delete|update, path, old?, new?}` per
/// changed leaf (objects are walked key by key; arrays compare whole).
pub(crate) fn diff(
    path: &mut Vec<Value>,
    old: Option<&Value>,
    new: Option<&Value>,
    out: &mut Vec<Value>,
) {
    match (old, new) {
        (Some(Value::Object(o)), Some(Value::Object(n))) => {
            for (k, v) in o {
                path.push(json!(k));
                diff(path, Some(v), n.get(k), out);
                path.pop();
            }
            for (k, v) in n.iter().filter(|(k, _)| !o.contains_key(*k)) {
                path.push(json!(k));
                diff(path, None, Some(v), out);
                path.pop();
            }
        }
        (None, Some(Value::Object(n))) => {
            for (k, v) in n {
                path.push(json!(k));
                diff(path, None, Some(v), out);
                path.pop();
            }
        }
        (Some(Value::Object(o)), None) => {
            for (k, v) in o {
                path.push(json!(k));
                diff(path, Some(v), None, out);
                path.pop();
            }
        }
        (None, Some(n)) => out.push(json!({"action": "new", "path": path, "new": n})),
        (Some(o), None) => out.push(json!({"action": "delete", "path": path, "old": o})),
        (Some(o), Some(n)) if o != n => {
            out.push(json!({"action": "update", "path": path, "old": o, "new": n}));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(old: Option<Value>, new: Option<Value>) -> Vec<Value> {
        let mut out = Vec::new();
        diff(&mut Vec::new(), old.as_ref(), new.as_ref(), &mut out);
        out
    }

    #[test]
    fn diffs_name_each_changed_leaf_by_path() {
        let old = json!({"personDetails": {"firstName": "Joe"}, "email": "a@x.io"});
        let new =
            json!({"personDetails": {"firstName": "John", "dob": "1969-09-23"}, "email": "a@x.io"});
        assert_eq!(
            run(Some(old.clone()), Some(new)),
            vec![
                json!({"action":"update","path":["personDetails","firstName"],"old":"Joe","new":"John"}),
                json!({"action":"new","path":["personDetails","dob"],"new":"1969-09-23"}),
            ]
        );
        assert_eq!(
            run(Some(old), None)[0],
            json!({"action":"delete","path":["personDetails","firstName"],"old":"Joe"})
        );
        assert_eq!(
            run(None, Some(json!({"a": [1]}))),
            vec![json!({"action":"new","path":["a"],"new":[1]})]
        );
    }
}
