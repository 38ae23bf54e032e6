//! The `group_by` value of a request and how it is rendered, after Flask-MonitoringDashboard:
//! primitives as themselves, tuples and lists as `(a,b)`, nested values likewise, functions
//! evaluated first.

use std::fmt;

/// What a `group_by` function may return. Build it with `.into()` from strings, numbers,
/// booleans, bytes, tuples and vectors, or with [`GroupValue::lazy`] for a value computed only
/// when the request is recorded.
///
/// ```
/// use axum_monitoring_dashboard::GroupValue;
/// assert_eq!(GroupValue::from(("User", 3)).render(), "(User,3)");
/// assert_eq!(GroupValue::from(vec![("User", GroupValue::lazy(|| 3.into()))]).render(), "((User,3))");
/// ```
#[non_exhaustive]
pub enum GroupValue {
    /// Text, rendered as is.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A floating-point number, rendered like Python does (`3.0`).
    Float(f64),
    /// A boolean, rendered like Python does (`True`).
    Bool(bool),
    /// Bytes, rendered as UTF-8 (invalid sequences replaced).
    Bytes(Vec<u8>),
    /// A tuple or list, rendered `(a,b,…)`.
    List(Vec<GroupValue>),
    /// A function, evaluated when rendered.
    Lazy(Box<dyn FnOnce() -> GroupValue + Send>),
}

impl GroupValue {
    /// A value computed when the request is recorded.
    pub fn lazy(value: impl FnOnce() -> GroupValue + Send + 'static) -> GroupValue {
        GroupValue::Lazy(Box::new(value))
    }

    /// The text stored for the request.
    pub fn render(self) -> String {
        let mut out = String::new();
        self.render_into(&mut out);
        out
    }

    fn render_into(self, out: &mut String) {
        use fmt::Write;
        match self {
            GroupValue::Text(text) => out.push_str(&text),
            GroupValue::Int(n) => {
                let _ = write!(out, "{n}");
            }
            GroupValue::Float(x) => {
                let _ = write!(out, "{x:?}");
            }
            GroupValue::Bool(b) => out.push_str(if b { "True" } else { "False" }),
            GroupValue::Bytes(bytes) => out.push_str(&String::from_utf8_lossy(&bytes)),
            GroupValue::List(items) => {
                out.push('(');
                for (i, item) in items.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.render_into(out);
                }
                out.push(')');
            }
            GroupValue::Lazy(value) => value().render_into(out),
        }
    }
}

impl fmt::Debug for GroupValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GroupValue::Text(text) => f.debug_tuple("Text").field(text).finish(),
            GroupValue::Int(n) => f.debug_tuple("Int").field(n).finish(),
            GroupValue::Float(x) => f.debug_tuple("Float").field(x).finish(),
            GroupValue::Bool(b) => f.debug_tuple("Bool").field(b).finish(),
            GroupValue::Bytes(bytes) => f.debug_tuple("Bytes").field(bytes).finish(),
            GroupValue::List(items) => f.debug_tuple("List").field(items).finish(),
            GroupValue::Lazy(_) => f.write_str("Lazy(..)"),
        }
    }
}

macro_rules! from_primitive {
    ($($ty:ty => $variant:ident($convert:expr)),* $(,)?) => {
        $(impl From<$ty> for GroupValue {
            fn from(value: $ty) -> Self {
                GroupValue::$variant($convert(value))
            }
        })*
    };
}

from_primitive! {
    String => Text(|v| v),
    &str => Text(str::to_owned),
    i64 => Int(|v| v),
    i32 => Int(i64::from),
    u32 => Int(i64::from),
    f64 => Float(|v| v),
    bool => Bool(|v| v),
    Vec<u8> => Bytes(|v| v),
}

impl From<u64> for GroupValue {
    fn from(value: u64) -> Self {
        i64::try_from(value).map_or_else(|_| GroupValue::Text(value.to_string()), GroupValue::Int)
    }
}

impl<T: Into<GroupValue>> From<Vec<T>> for GroupValue {
    fn from(items: Vec<T>) -> Self {
        GroupValue::List(items.into_iter().map(Into::into).collect())
    }
}

impl<A: Into<GroupValue>, B: Into<GroupValue>> From<(A, B)> for GroupValue {
    fn from((a, b): (A, B)) -> Self {
        GroupValue::List(vec![a.into(), b.into()])
    }
}

impl<A: Into<GroupValue>, B: Into<GroupValue>, C: Into<GroupValue>> From<(A, B, C)> for GroupValue {
    fn from((a, b, c): (A, B, C)) -> Self {
        GroupValue::List(vec![a.into(), b.into(), c.into()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's table of `group_by` values and what they become.
    #[test]
    fn renders_the_reference_examples() {
        let cases: Vec<(GroupValue, &str)> = vec![
            (3.into(), "3"),
            (("User", 3).into(), "(User,3)"),
            (GroupValue::lazy(|| 3.into()), "3"),
            (("User", GroupValue::lazy(|| 3.into())).into(), "(User,3)"),
            ("username".into(), "username"),
            (vec!["Username", "username"].into(), "(Username,username)"),
            (
                vec![
                    GroupValue::from(("User", GroupValue::lazy(|| 3.into()))),
                    ("Username", GroupValue::lazy(|| "username".into())).into(),
                ]
                .into(),
                "((User,3),(Username,username))",
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(value.render(), expected);
        }
    }

    #[test]
    fn renders_other_primitives_like_python() {
        assert_eq!(GroupValue::from(3.0).render(), "3.0");
        assert_eq!(GroupValue::from(true).render(), "True");
        assert_eq!(GroupValue::from(b"bytes".to_vec()).render(), "bytes");
        assert_eq!(GroupValue::from(u64::MAX).render(), "18446744073709551615");
        assert_eq!(GroupValue::from(("a", 1, false)).render(), "(a,1,False)");
    }
}
