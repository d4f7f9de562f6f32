//! `${dotted.path}` placeholders, resolved against a JSON document.

use serde_json::Value;

/// Replaces every `${a.b.c}` in `text` with the string (or number) at that path of `values`; a
/// numeric part indexes a list (`${assume_role.roles.2.external_id}`).
/// An unknown path or an unterminated placeholder is an error naming it; `$` alone is kept.
pub fn substitute(text: &str, values: &Value) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or_else(|| format!("unterminated placeholder in {text:?}"))?;
        let path = &after[..end];
        out.push_str(&lookup(values, path)?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn lookup(values: &Value, path: &str) -> Result<String, String> {
    let mut at = values;
    for part in path.split('.') {
        let next = match (at, part.parse::<usize>()) {
            (Value::Array(items), Ok(i)) => items.get(i),
            _ => at.get(part),
        };
        at = next.ok_or_else(|| format!("unknown placeholder ${{{path}}}"))?;
    }
    match at {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(format!("placeholder ${{{path}}} is not a string or number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_nested_paths_and_reports_unknown_ones() {
        let v = serde_json::json!({"a": {"b": "x"}, "n": 3, "l": [{"k": "first"}, {"k": "second"}]});
        assert_eq!(substitute("[${a.b}-${n}] $HOME", &v).unwrap(), "[x-3] $HOME");
        assert_eq!(substitute("${l.1.k}", &v).unwrap(), "second");
        assert!(substitute("${l.2.k}", &v).unwrap_err().contains("l.2.k"));
        assert!(substitute("${a.c}", &v).unwrap_err().contains("a.c"));
        assert!(substitute("${a.b", &v).unwrap_err().contains("unterminated"));
        assert!(substitute("${a}", &v).is_err());
    }
}
