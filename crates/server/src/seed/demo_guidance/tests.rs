//! Every path of both demo trees (384 + 144), checked against a separate,
//! hand-written statement of which materials (with copies, original,
//! required) and items each situation needs — not derived from the trees —
//! plus complete lists written out by hand for representative paths.

use super::{demo_tree, TREES};
use govpulse_core::guidance::answer::{evaluate, Answers, Outcome};
use govpulse_core::guidance::coverage::{check, combinations};
use std::collections::BTreeMap;

type Expected = BTreeMap<&'static str, (u32, bool, bool)>;
/// Which materials (code → copies, original, required) and items a situation needs.
type Spec = fn(&Answers) -> (Expected, Vec<&'static str>);

fn has(a: &Answers, question: &str, option: &str) -> bool {
    a.get(question)
        .is_some_and(|o| o.iter().any(|x| x == option))
}

fn actual(outcome: &Outcome) -> BTreeMap<String, (u32, bool, bool)> {
    outcome
        .materials
        .iter()
        .map(|m| (m.code.clone(), (m.copies, m.original, m.required)))
        .collect()
}

fn items(outcome: &Outcome) -> Vec<&str> {
    outcome.items.iter().map(|i| i.code.as_str()).collect()
}

/// 开办餐饮店: what the regulations ask for, situation by situation.
fn restaurant_expected(a: &Answers) -> (Expected, Vec<&'static str>) {
    let company = has(a, "subject", "company");
    let agent = has(a, "agent", "yes");
    let owned = has(a, "premises", "owned");
    let (hot, cold, drink) = (
        has(a, "menu", "hot"),
        has(a, "menu", "cold"),
        has(a, "menu", "drink"),
    );
    let prepared = hot || cold || drink;
    let large = has(a, "area", "large");
    let sign = has(a, "sign", "yes");
    let sewage = has(a, "sewage", "yes");
    let mut m = Expected::new();
    let mut put = |on: bool, code, terms| {
        if on {
            m.insert(code, terms);
        }
    };
    put(company, "M01", (1, true, true));
    put(!company, "M02", (1, true, true));
    put(company, "M03", (1, true, true));
    put(true, "M04", (if agent { 2 } else { 1 }, true, true));
    put(true, "M05", (1, owned, true));
    put(!owned, "M06", (1, false, true));
    put(agent, "M07", (1, true, true));
    put(agent, "M08", (1, true, true));
    put(prepared, "M09", (1, true, true));
    put(prepared, "M10", (1, false, true));
    put(
        prepared || large,
        "M11",
        (if cold || large { 2 } else { 1 }, false, true),
    );
    put(prepared, "M12", (1, drink, true));
    put(cold, "M13", (1, false, true));
    put(has(a, "menu", "prepack"), "M14", (1, true, true));
    put(large, "M15", (1, true, true));
    put(large, "M16", (1, false, true));
    put(sign, "M17", (1, true, true));
    put(sign, "M18", (1, false, true));
    put(sewage, "M19", (1, true, true));
    put(sewage, "M20", (1, false, true));
    let mut i = vec!["110105-SCJG-SLDJ"];
    if prepared {
        i.push("110105-SCJG-SPJY");
    }
    if has(a, "menu", "prepack") {
        i.push("110105-SCJG-SPBA");
    }
    if large {
        i.push("110105-XF-YYQJC");
    }
    if sign {
        i.push("110105-CG-ZPSZ");
    }
    if sewage {
        i.push("110105-SW-PSXK");
    }
    (m, i)
}

/// 新生儿出生: what each situation needs.
fn newborn_expected(a: &Answers) -> (Expected, Vec<&'static str>) {
    let local = has(a, "born_in", "local");
    let married = has(a, "parents", "married");
    let settles = has(a, "hukou", "father") || has(a, "hukou", "mother");
    let (medical, sscard, allowance) = (
        has(a, "services", "medical"),
        has(a, "services", "sscard"),
        has(a, "services", "allowance"),
    );
    let mut m = Expected::new();
    let mut put = |on: bool, code, terms| {
        if on {
            m.insert(code, terms);
        }
    };
    put(true, "B01", (if local { 1 } else { 2 }, true, true));
    put(true, "B02", (if medical { 2 } else { 1 }, !married, true));
    put(married, "B03", (1, false, true));
    put(!married, "B04", (1, true, true));
    put(settles, "B05", (1, true, true));
    put(!local, "B06", (1, false, true));
    put(medical, "B07", (1, true, true));
    put(sscard, "B08", (1, true, true));
    put(sscard, "B09", (1, true, true));
    put(allowance, "B10", (1, true, true));
    put(has(a, "allowance_by", "employer"), "B11", (1, true, true));
    put(has(a, "allowance_by", "self"), "B12", (1, false, true));
    let mut i = Vec::new();
    if local {
        i.push("110105-WJ-CSYXZM");
    }
    i.push("110105-WJ-YFJZ");
    if settles {
        i.push("110105-GA-CSDJ");
    }
    if medical {
        i.push("110105-YB-CBDJ");
    }
    if sscard {
        i.push("110105-RS-SBK");
    }
    if allowance {
        i.push("110105-YB-SYJT");
    }
    (m, i)
}

fn answers(pairs: &[(&str, &[&str])]) -> Answers {
    pairs
        .iter()
        .map(|(q, os)| (q.to_string(), os.iter().map(|o| o.to_string()).collect()))
        .collect()
}

#[test]
fn every_path_of_both_demo_trees_yields_the_materials_its_situation_needs() {
    let specs: [(usize, Spec); 2] = [(384, restaurant_expected), (144, newborn_expected)];
    for (text, (paths, expected)) in TREES.iter().zip(specs) {
        let (code, _, tree) = demo_tree(text).unwrap();
        assert_eq!(tree.validate(), vec![], "{code}");
        let coverage = check(&tree);
        assert!(coverage.passes(), "{code}: {coverage:?}");
        let all = combinations(&tree, 10_000).unwrap();
        assert_eq!(all.len(), paths, "{code}: every combination walked");
        for a in &all {
            let outcome = evaluate(&tree, a).unwrap();
            let (materials, items_expected) = expected(a);
            let want: BTreeMap<String, (u32, bool, bool)> = materials
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
            assert_eq!(actual(&outcome), want, "{code} {}", outcome.path);
            assert_eq!(items(&outcome), items_expected, "{code} {}", outcome.path);
        }
    }
}

#[test]
fn representative_paths_written_out_in_full() {
    let (_, _, restaurant) = demo_tree(TREES[0]).unwrap();
    // A company by an agent, leased premises, hot and cold food, large, with a sign, sewage to the network.
    let out = evaluate(
        &restaurant,
        &answers(&[
            ("subject", &["company"]),
            ("agent", &["yes"]),
            ("premises", &["leased"]),
            ("menu", &["hot", "cold"]),
            ("area", &["large"]),
            ("sign", &["yes"]),
            ("sewage", &["yes"]),
        ]),
    )
    .unwrap();
    let list: Vec<(&str, u32, bool)> = out
        .materials
        .iter()
        .map(|m| (m.name.as_str(), m.copies, m.original))
        .collect();
    assert_eq!(
        list,
        [
            ("公司登记（备案）申请书", 1, true),
            ("公司章程", 1, true),
            ("法定代表人（经营者）身份证件", 2, true),
            ("经营场所房屋产权证明", 1, false),
            ("房屋租赁合同", 1, false),
            ("授权委托书", 1, true),
            ("委托代理人身份证件", 1, true),
            ("食品经营许可申请书", 1, true),
            ("食品安全管理制度文本", 1, false),
            ("经营场所平面布局图及设备布局、加工流程图", 2, false),
            ("从业人员健康证明", 1, false),
            ("冷食类食品加工专间设置说明", 1, false),
            ("公众聚集场所投入使用、营业前消防安全检查申请表", 1, true),
            ("消防设施检测合格报告", 1, false),
            ("户外招牌设置备案表", 1, true),
            ("招牌设计效果图", 1, false),
            ("排水许可申请表", 1, true),
            ("隔油设施设置及排水管线平面图", 1, false),
        ]
    );
    // An individual selling only prepacked food in a small shop of their own.
    let out = evaluate(
        &restaurant,
        &answers(&[
            ("subject", &["individual"]),
            ("agent", &["no"]),
            ("premises", &["owned"]),
            ("menu", &["prepack"]),
            ("area", &["small"]),
            ("sign", &["no"]),
        ]),
    )
    .unwrap();
    let names: Vec<&str> = out.materials.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "个体工商户登记（备案）申请书",
            "法定代表人（经营者）身份证件",
            "经营场所房屋产权证明",
            "仅销售预包装食品备案信息采集表"
        ]
    );
    assert_eq!(items(&out), ["110105-SCJG-SLDJ", "110105-SCJG-SPBA"]);
    assert!(out.notices.iter().any(|n| n.contains("备案管理")));

    let (_, _, newborn) = demo_tree(TREES[1]).unwrap();
    // Born in a Beijing hospital to married parents, settled with the father, nothing else.
    let out = evaluate(
        &newborn,
        &answers(&[
            ("born_in", &["local"]),
            ("parents", &["married"]),
            ("hukou", &["father"]),
            ("services", &["none"]),
        ]),
    )
    .unwrap();
    let names: Vec<&str> = out.materials.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "出生医学证明",
            "父母双方居民身份证",
            "父母结婚证",
            "落户方居民户口簿"
        ]
    );
    assert_eq!(
        items(&out),
        ["110105-WJ-CSYXZM", "110105-WJ-YFJZ", "110105-GA-CSDJ"]
    );
    // Born elsewhere, unmarried parents, settling outside Beijing, all services, allowance claimed in person.
    let out = evaluate(
        &newborn,
        &answers(&[
            ("born_in", &["elsewhere"]),
            ("parents", &["unmarried"]),
            ("hukou", &["outside"]),
            ("services", &["medical", "sscard", "allowance"]),
            ("allowance_by", &["self"]),
        ]),
    )
    .unwrap();
    let list: Vec<(&str, u32, bool)> = out
        .materials
        .iter()
        .map(|m| (m.name.as_str(), m.copies, m.original))
        .collect();
    assert_eq!(
        list,
        [
            ("出生医学证明", 2, true),
            ("父母双方居民身份证", 2, true),
            ("非婚生育情况说明", 1, true),
            ("产妇出院小结", 1, false),
            ("城乡居民医保参保登记表", 1, true),
            ("新生儿近期一寸白底证件照", 1, true),
            ("社会保障卡申领登记表", 1, true),
            ("生育津贴申领表", 1, true),
            ("本人社会保障卡（金融账户已激活）", 1, false),
        ]
    );
}
