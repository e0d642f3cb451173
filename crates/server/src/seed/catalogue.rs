//! The demo item catalogue: real item names from a Sichuan district's item
//! sample (Apache-2.0, built in: `crates/server/data/README.md`), re-homed to
//! the demo city's departments; generic names when a given sample file holds none.

use super::city::DemoCity;
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value};

/// The built-in sample (`demo --catalogue FILE` replaces it).
pub const SAMPLE_CSV: &[u8] = include_bytes!("../../data/sichuan_511602_items_sample.csv");

/// One sample row: department name, item name, item type code, basic code.
#[derive(Debug, Clone)]
pub struct SampleItem {
    pub department: String,
    pub name: String,
    pub item_type: String,
    pub basic_code: String,
}

/// The built-in sample's items.
pub fn builtin_sample() -> Vec<SampleItem> {
    parse_sample(SAMPLE_CSV).unwrap_or_else(fallback)
}

/// Generic items when a given sample holds none.
const FALLBACK: &[(&str, &str, &str)] = &[
    ("区行政审批局", "食品经营许可", "01"),
    ("区行政审批局", "建设工程规划许可证核发", "01"),
    ("区人社局", "失业保险金申领", "05"),
    ("区人社局", "职业技能鉴定证书查询", "20"),
    ("区公安分局", "户口迁移登记", "07"),
    ("区市监局", "个体工商户设立登记", "01"),
    ("区卫健局", "医疗机构执业登记", "01"),
    ("区民政局", "最低生活保障审批", "05"),
    ("区教科体局", "民办学校设立审批", "01"),
    ("区住建局", "商品房预售许可", "01"),
    ("区商务局", "对外贸易经营者备案登记", "10"),
    ("区文广旅局", "营业性演出审批", "01"),
];

/// Read a sample in the built-in sample's columns; `None` when it holds no item.
pub fn parse_sample(bytes: &[u8]) -> Option<Vec<SampleItem>> {
    let mut reader = csv::Reader::from_reader(bytes);
    let items: Vec<SampleItem> = reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| {
            let item_code = r.get(3)?;
            Some(SampleItem {
                department: r.get(0)?.to_string(),
                name: r.get(2)?.to_string(),
                item_type: r.get(4)?.to_string(),
                basic_code: item_code.split('-').next()?.to_string(),
            })
        })
        .filter(|i| !i.name.is_empty())
        .collect();
    (!items.is_empty()).then_some(items)
}

pub fn fallback() -> Vec<SampleItem> {
    FALLBACK
        .iter()
        .enumerate()
        .map(|(i, (dept, name, kind))| SampleItem {
            department: dept.to_string(),
            name: name.to_string(),
            item_type: kind.to_string(),
            basic_code: format!("000DEMO{i:04}"),
        })
        .collect()
}

/// Which of the standard district departments (index into
/// `DISTRICT_DEPARTMENTS`) handles items of a sample department.
fn department_index(sample_department: &str) -> usize {
    const RULES: &[(&str, usize)] = &[
        ("发改", 0),
        ("教", 1),
        ("公安", 2),
        ("消防", 2),
        ("民政", 3),
        ("残联", 3),
        ("退役", 3),
        ("人社", 4),
        ("医疗保障", 4),
        ("住建", 5),
        ("自然资源", 5),
        ("市监", 6),
        ("烟草", 6),
        ("卫健", 7),
        ("城市管理", 9),
        ("综合执法", 9),
        ("商务", 10),
        ("经信", 10),
        ("文广旅", 11),
    ];
    RULES
        .iter()
        .find(|(needle, _)| sample_department.contains(needle))
        .map(|(_, i)| *i)
        .unwrap_or(8) // 政务服务和数据管理局: the one-stop approval bureau
}

/// City departments that take over a sample department's items at city level.
fn city_department_index(sample_department: &str) -> usize {
    const RULES: &[(&str, usize)] = &[
        ("发改", 0),
        ("教", 1),
        ("公安", 5),
        ("民政", 6),
        ("司法", 7),
        ("人社", 9),
        ("自然资源", 10),
        ("生态", 11),
        ("住建", 12),
        ("交通", 14),
        ("水务", 15),
        ("农业", 16),
        ("商务", 17),
        ("文广旅", 18),
        ("卫健", 19),
        ("市监", 23),
        ("医疗保障", 28),
    ];
    RULES
        .iter()
        .find(|(needle, _)| sample_department.contains(needle))
        .map(|(_, i)| *i)
        .unwrap_or(30) // 市政务服务和数据管理局
}

/// A demo item as an intake record.
pub struct DemoItem {
    pub item_code: String,
    pub name: String,
    pub department_code: String,
    pub region_code: String,
    pub promised_limit: i64,
    pub immediate: bool,
    pub record: Map<String, Value>,
    /// A changed second version, in force from this day, for some items.
    pub second_version: Option<Map<String, Value>>,
}

fn materials_for(name: &str, rng: &mut ChaCha8Rng) -> Value {
    let mut list = vec![
        json!({"name": "申请表", "required": true, "copies": 1, "form": "原件"}),
        json!({"name": "申请人身份证明", "required": true, "copies": 1, "form": "复印件"}),
    ];
    if rng.gen_bool(0.6) {
        list.push(json!({"name": format!("{name}相关证明材料"), "required": true, "copies": 1, "form": "原件"}));
    }
    if rng.gen_bool(0.4) {
        list.push(json!({"name": "授权委托书", "required": false, "copies": 1, "form": "原件"}));
    }
    Value::Array(list)
}

/// Build about `per_district` items for each district plus city-level items.
pub fn demo_items(
    city: &DemoCity,
    sample: &[SampleItem],
    per_district: usize,
    city_items: usize,
    rng: &mut ChaCha8Rng,
    second_version_from: &str,
) -> Vec<DemoItem> {
    let mut items = Vec::new();
    let mut pool: Vec<&SampleItem> = sample.iter().collect();
    let build = |item: &SampleItem,
                 region: &str,
                 dept_code: String,
                 serial: usize,
                 rng: &mut ChaCha8Rng| {
        let immediate = rng.gen_bool(0.15);
        let legal: i64 = if immediate {
            1
        } else {
            *[5_i64, 10, 15, 20, 20, 30, 60].choose(rng).unwrap_or(&20)
        };
        let promised = if immediate {
            0
        } else {
            ((legal as f64) * rng.gen_range(0.4..=0.8)).round().max(1.0) as i64
        };
        let natural = !immediate && rng.gen_bool(0.08);
        let item_type = format!("{:02}", item.item_type.parse::<u32>().unwrap_or(1).min(99));
        let item_code = format!(
            "{}-{region}000000-{serial:03}-{dept_code}-1-00",
            item.basic_code
        );
        let mut record = Map::new();
        record.insert("item_code".into(), json!(item_code));
        record.insert("basic_code".into(), json!(item.basic_code));
        record.insert("name".into(), json!(item.name));
        record.insert("item_type_code".into(), json!(item_type));
        record.insert(
            "exercise_level".into(),
            json!(if region.ends_with("0000") { "3" } else { "4" }),
        );
        record.insert("department_code".into(), json!(dept_code));
        record.insert("region_code".into(), json!(region));
        record.insert("legal_limit".into(), json!(legal));
        record.insert("promised_limit".into(), json!(promised));
        record.insert(
            "limit_unit".into(),
            json!(if natural { "natural" } else { "working" }),
        );
        record.insert(
            "case_type_code".into(),
            json!(if immediate { 1 } else { 2 }),
        );
        record.insert("handling_modes".into(), json!(["1", "2"]));
        record.insert("materials".into(), materials_for(&item.name, rng));
        record.insert("elements".into(), json!({"fee": if rng.gen_bool(0.9) { "不收费" } else { "按标准收费" }, "legal_basis": format!("《{}管理办法》", item.name.chars().take(8).collect::<String>()), "service_object": "自然人、法人"}));
        record.insert("valid_from".into(), json!("2015-01-01"));
        let second_version = (!immediate && rng.gen_bool(0.03)).then(|| {
            let mut changed = record.clone();
            changed.insert("promised_limit".into(), json!((promised - 1).max(1)));
            changed.insert("valid_from".into(), json!(second_version_from));
            changed
        });
        DemoItem {
            item_code,
            name: item.name.clone(),
            department_code: record["department_code"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            region_code: region.to_string(),
            promised_limit: promised,
            immediate,
            record,
            second_version,
        }
    };
    for (district, _, _) in city.districts {
        pool.shuffle(rng);
        for (serial, sample) in pool.iter().cycle().take(per_district).enumerate() {
            let dept = DemoCity::department_code(district, department_index(&sample.department));
            items.push(build(sample, district, dept, serial, rng));
        }
    }
    pool.shuffle(rng);
    for (serial, sample) in pool.iter().cycle().take(city_items).enumerate() {
        let dept = DemoCity::department_code(city.code, city_department_index(&sample.department));
        items.push(build(sample, city.code, dept, serial, rng));
    }
    items
}
