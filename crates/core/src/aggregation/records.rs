//! The five intake record kinds and their validation (AGG-2).
//!
//! A record arrives as a JSON object (after the source's collection rules have
//! renamed fields and translated codes) and leaves as a typed input, or as a
//! [`Rejection`] with a stable code.

use super::corrections::revision;
use super::fields::{invalid, Checked, Fields, Rejection, LONG_TEXT_CHARS};
use crate::idnumber::{self, IdKind};
use serde::Serialize;
use serde_json::{Map, Value};

/// Channels of consultations, applications and evaluations.
pub const CHANNELS: &[&str] = &["online", "window", "hotline", "wechat", "app", "other"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantType {
    Person,
    Org,
}

impl ApplicantType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "person",
            Self::Org => "org",
        }
    }

    fn id_kind(self) -> IdKind {
        match self {
            Self::Person => IdKind::CitizenId,
            Self::Org => IdKind::CreditCode,
        }
    }
}

fn applicant_type(f: &Fields) -> Checked<ApplicantType> {
    Ok(
        match f.choice("applicant_type", &["person", "org"])?.as_str() {
            "person" => ApplicantType::Person,
            _ => ApplicantType::Org,
        },
    )
}

/// Validate an identity number for the applicant type (GB 11643 / GB 32100).
fn applicant_id(kind: ApplicantType, text: &str) -> Checked<String> {
    idnumber::validate(kind.id_kind(), text).map_err(|e| {
        Rejection::new(
            &format!("applicant_id.{}", e.code()),
            format!("申请人证件号码 applicant_id {e}"),
        )
    })
}

fn region_code(f: &Fields, name: &str) -> Checked<String> {
    let code = f.code(name, 12)?;
    if crate::region::RegionLevel::of_code(&code).is_none() {
        return Err(invalid(name, "不是 6、9 或 12 位区划代码"));
    }
    Ok(code)
}

/// 办件: one application.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseInput {
    pub case_code: String,
    pub item_code: String,
    pub applicant_type: ApplicantType,
    #[serde(skip)]
    pub applicant_id: String,
    pub applicant_name: String,
    pub region_code: String,
    pub department_code: String,
    pub channel: String,
    pub submitted_at: i64,
    pub handling_mode: Option<String>,
    pub remark: Option<String>,
    /// The source's revision of this record (0 unless numbered); not content.
    #[serde(skip)]
    pub revision: i64,
}

/// The columns a case record may have (an import template's header).
pub const CASE_FIELDS: &[&str] = &[
    "case_code",
    "item_code",
    "applicant_type",
    "applicant_id",
    "applicant_name",
    "region_code",
    "department_code",
    "channel",
    "submitted_at",
    "handling_mode",
    "remark",
    "revision",
];

pub fn case(map: &Map<String, Value>, now_ms: i64) -> Checked<CaseInput> {
    let f = Fields::new(map);
    f.only(CASE_FIELDS)?;
    let kind = applicant_type(&f)?;
    Ok(CaseInput {
        case_code: f.code("case_code", 64)?,
        item_code: f.code("item_code", 128)?,
        applicant_id: applicant_id(kind, &f.text("applicant_id", 32)?)?,
        applicant_type: kind,
        applicant_name: f.text("applicant_name", 100)?,
        region_code: region_code(&f, "region_code")?,
        department_code: f.code("department_code", 64)?,
        channel: f.choice("channel", CHANNELS)?,
        submitted_at: f.time("submitted_at", now_ms)?,
        handling_mode: f.opt_code("handling_mode", 8)?,
        remark: f.opt_text("remark", 500)?,
        revision: revision(&f)?,
    })
}

/// Stage events of a case.
pub const EVENT_KINDS: &[&str] = &[
    "submitted",
    "accepted",
    "rejected",
    "supplement_start",
    "supplement_end",
    "special_start",
    "special_end",
    "decided",
    "completed",
    "delivered",
    "withdrawn",
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventInput {
    pub case_code: String,
    pub seq: i64,
    pub kind: String,
    pub at: i64,
    pub special_kind: Option<String>,
    pub operator: Option<String>,
    pub note: Option<String>,
    /// The source's revision of this record (0 unless numbered); not content.
    #[serde(skip)]
    pub revision: i64,
}

/// The columns a event record may have (an import template's header).
pub const EVENT_FIELDS: &[&str] = &[
    "case_code",
    "seq",
    "kind",
    "at",
    "special_kind",
    "operator",
    "note",
    "revision",
];

pub fn event(map: &Map<String, Value>, now_ms: i64) -> Checked<EventInput> {
    let f = Fields::new(map);
    f.only(EVENT_FIELDS)?;
    let kind = f.choice("kind", EVENT_KINDS)?;
    let special_kind = f.opt_code("special_kind", 8)?;
    if special_kind.is_some() && !kind.starts_with("special_") {
        return Err(invalid(
            "special_kind",
            "仅用于 special_start / special_end 事件",
        ));
    }
    Ok(EventInput {
        case_code: f.code("case_code", 64)?,
        seq: f.int("seq", 1, 1_000_000)?,
        kind,
        at: f.time("at", now_ms)?,
        special_kind,
        operator: f.opt_text("operator", 100)?,
        note: f.opt_text("note", LONG_TEXT_CHARS)?,
        revision: revision(&f)?,
    })
}

/// 咨询: one consultation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsultationInput {
    pub code: String,
    pub channel: String,
    pub region_code: String,
    pub asked_at: i64,
    pub applicant_type: ApplicantType,
    #[serde(skip)]
    pub applicant_id: Option<String>,
    pub item_code: Option<String>,
    pub question: String,
    pub answer: Option<String>,
    /// The source's revision of this record (0 unless numbered); not content.
    #[serde(skip)]
    pub revision: i64,
}

/// The columns a consultation record may have (an import template's header).
pub const CONSULTATION_FIELDS: &[&str] = &[
    "code",
    "channel",
    "region_code",
    "asked_at",
    "applicant_type",
    "applicant_id",
    "item_code",
    "question",
    "answer",
    "revision",
];

pub fn consultation(map: &Map<String, Value>, now_ms: i64) -> Checked<ConsultationInput> {
    let f = Fields::new(map);
    f.only(CONSULTATION_FIELDS)?;
    let kind = applicant_type(&f)?;
    let applicant = match f.opt_text("applicant_id", 32)? {
        Some(text) => Some(applicant_id(kind, &text)?),
        None => None,
    };
    Ok(ConsultationInput {
        code: f.code("code", 40)?,
        channel: f.choice("channel", CHANNELS)?,
        region_code: region_code(&f, "region_code")?,
        asked_at: f.time("asked_at", now_ms)?,
        applicant_type: kind,
        applicant_id: applicant,
        item_code: f.opt_code("item_code", 128)?,
        question: f.text("question", LONG_TEXT_CHARS)?,
        answer: f.opt_text("answer", LONG_TEXT_CHARS)?,
        revision: revision(&f)?,
    })
}

/// 好差评: one evaluation (satisfaction per GB/T 39046 A.8: 1 非常满意 … 5 非常不满意).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvaluationInput {
    pub evaluation_id: String,
    pub case_code: Option<String>,
    pub channel: String,
    pub rated_at: i64,
    pub satisfaction: i64,
    pub comment: Option<String>,
    pub region_code: Option<String>,
    /// The source's revision of this record (0 unless numbered); not content.
    #[serde(skip)]
    pub revision: i64,
}

/// The columns a evaluation record may have (an import template's header).
pub const EVALUATION_FIELDS: &[&str] = &[
    "evaluation_id",
    "case_code",
    "channel",
    "rated_at",
    "satisfaction",
    "comment",
    "region_code",
    "revision",
];

pub fn evaluation(map: &Map<String, Value>, now_ms: i64) -> Checked<EvaluationInput> {
    let f = Fields::new(map);
    f.only(EVALUATION_FIELDS)?;
    let case_code = f.opt_code("case_code", 64)?;
    let region = match f.raw("region_code") {
        Some(_) => Some(region_code(&f, "region_code")?),
        None => None,
    };
    if case_code.is_none() && region.is_none() {
        return Err(Rejection::new(
            "field.missing",
            "没有办件编号 `case_code` 的评价须填写 `region_code`",
        ));
    }
    Ok(EvaluationInput {
        evaluation_id: f.code("evaluation_id", 64)?,
        case_code,
        channel: f.choice("channel", CHANNELS)?,
        rated_at: f.time("rated_at", now_ms)?,
        satisfaction: f.int("satisfaction", 1, 5)?,
        comment: f.opt_text("comment", LONG_TEXT_CHARS)?,
        region_code: region,
        revision: revision(&f)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> i64 {
        crate::time::parse_rfc3339("2026-11-21T12:00:00+08:00").unwrap()
    }

    fn case_json() -> Value {
        json!({
            "case_code": "C-1", "item_code": "I-1", "applicant_type": "person",
            "applicant_id": "11010519491231002X", "applicant_name": "张三", "region_code": "110105",
            "department_code": "110105D001", "channel": "online", "submitted_at": "20260302T090000"
        })
    }

    fn check_case(v: Value) -> Checked<CaseInput> {
        case(v.as_object().unwrap(), now())
    }

    #[test]
    fn a_valid_case_passes_and_is_normalised() {
        let input = check_case(case_json()).unwrap();
        assert_eq!(input.applicant_id, "11010519491231002X");
        assert_eq!(
            crate::time::to_rfc3339(input.submitted_at),
            "2026-03-02T09:00:00+08:00"
        );
    }

    #[test]
    fn case_refusals_carry_stable_codes() {
        let with = |key: &str, value: Value| {
            let mut v = case_json();
            v[key] = value;
            check_case(v).unwrap_err().code
        };
        assert_eq!(
            with("applicant_id", json!("110105194912310021")),
            "applicant_id.check_character"
        );
        assert_eq!(
            with("applicant_id", json!("110105194902300027")),
            "applicant_id.birth_date"
        );
        assert_eq!(
            with("submitted_at", json!("2030-01-01T00:00:00+08:00")),
            "time.future"
        );
        assert_eq!(with("submitted_at", json!("yesterday")), "time.invalid");
        assert_eq!(with("channel", json!("fax")), "field.invalid");
        assert_eq!(with("region_code", json!("1101")), "field.invalid");
        assert_eq!(with("case_code", json!("C 1; DROP")), "field.invalid");
        assert_eq!(with("applicant_name", Value::Null), "field.missing");
    }

    #[test]
    fn organisations_need_credit_codes() {
        let mut v = case_json();
        v["applicant_type"] = json!("org");
        assert_eq!(
            check_case(v.clone()).unwrap_err().code,
            "applicant_id.check_character"
        );
        v["applicant_id"] = json!("91350100M000100Y43");
        assert!(check_case(v).is_ok());
    }

    #[test]
    fn events_and_evaluations() {
        let e = json!({"case_code": "C-1", "seq": 2, "kind": "accepted", "at": "2026-03-02T10:00:00+08:00"});
        assert!(event(e.as_object().unwrap(), now()).is_ok());
        let e = json!({"case_code": "C-1", "seq": 0, "kind": "accepted", "at": "2026-03-02T10:00:00+08:00"});
        assert_eq!(
            event(e.as_object().unwrap(), now()).unwrap_err().code,
            "field.invalid"
        );
        let e = json!({"case_code": "C-1", "seq": 1, "kind": "teleported", "at": "2026-03-02T10:00:00+08:00"});
        assert_eq!(
            event(e.as_object().unwrap(), now()).unwrap_err().code,
            "field.invalid"
        );
        let r = json!({"evaluation_id": "E1", "channel": "app", "rated_at": "2026-03-02T10:00:00+08:00", "satisfaction": 6, "case_code": "C-1"});
        let refused = evaluation(r.as_object().unwrap(), now()).unwrap_err();
        assert_eq!(refused.code, "field.invalid");
        // the import dialog shows the message: Chinese (issue 16 item 11)
        assert_eq!(refused.message, "`satisfaction` 须在 1 到 5 之间");
        let mut bad = case_json();
        bad["applicant_id"] = json!("11010519491231002Y");
        let refused = check_case(bad).unwrap_err();
        assert!(
            refused.message.starts_with("申请人证件号码") && !refused.message.contains("character"),
            "{}",
            refused.message
        );
        let r = json!({"evaluation_id": "E1", "channel": "app", "rated_at": "2026-03-02T10:00:00+08:00", "satisfaction": 1});
        assert_eq!(
            evaluation(r.as_object().unwrap(), now()).unwrap_err().code,
            "field.missing"
        );
    }

    /// GB/T 39046 leaves 咨询内容, 答复 and 评价内容 unbounded: long citizen
    /// messages pass up to the documented bound, and only beyond it are refused.
    #[test]
    fn long_texts_pass_up_to_their_bound() {
        let consultation_with = |question: String| {
            let c = json!({"code": "K-1", "channel": "hotline", "region_code": "110105",
                "asked_at": "2026-03-02T10:00:00+08:00", "applicant_type": "person",
                "question": question, "answer": "答".repeat(LONG_TEXT_CHARS)});
            consultation(c.as_object().unwrap(), now())
        };
        let long = "请问".repeat(LONG_TEXT_CHARS / 2);
        assert_eq!(consultation_with(long.clone()).unwrap().question, long);
        assert_eq!(
            consultation_with(format!("{long}吗")).unwrap_err().code,
            "field.invalid"
        );
        let r = json!({"evaluation_id": "E1", "channel": "app", "rated_at": "2026-03-02T10:00:00+08:00",
            "satisfaction": 4, "case_code": "C-1", "comment": "慢".repeat(3000)});
        assert!(evaluation(r.as_object().unwrap(), now()).is_ok());
    }
}
