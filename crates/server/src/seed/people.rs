//! Demo applicants: valid GB 11643 citizen ID numbers and GB 32100 credit codes
//! with plausible Chinese names.

use govpulse_core::idnumber::{citizen_id_check, credit_code_check};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "晨", "欣怡", "子涵", "浩然", "梓萱",
];
const COMPANY: &[&str] = &[
    "科技",
    "商贸",
    "餐饮",
    "建设工程",
    "文化传媒",
    "医药",
    "物流",
    "信息技术",
    "环保",
    "教育咨询",
];
#[derive(Debug, Clone)]
pub struct Applicant {
    pub kind: &'static str,
    pub id: String,
    pub name: String,
}

pub fn person(rng: &mut ChaCha8Rng, district: &str) -> Applicant {
    let birth = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap_or_default()
        + chrono::Duration::days(rng.gen_range(0..20_000));
    let body = format!(
        "{district}{}{:03}",
        birth.format("%Y%m%d"),
        rng.gen_range(0..1000)
    );
    let check = citizen_id_check(&body).unwrap_or('0');
    let name = format!(
        "{}{}",
        SURNAMES.choose(rng).unwrap_or(&"王"),
        GIVEN.choose(rng).unwrap_or(&"伟")
    );
    Applicant {
        kind: "person",
        id: format!("{body}{check}"),
        name,
    }
}

pub fn organisation(rng: &mut ChaCha8Rng, district: &str) -> Applicant {
    const CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let org: String = (0..9)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect();
    let body = format!("91{district}{org}");
    let check = credit_code_check(&body).unwrap_or('0');
    let name = format!(
        "北京{}{}有限公司",
        SURNAMES.choose(rng).unwrap_or(&"王"),
        COMPANY.choose(rng).unwrap_or(&"科技")
    );
    Applicant {
        kind: "org",
        id: format!("{body}{check}"),
        name,
    }
}
