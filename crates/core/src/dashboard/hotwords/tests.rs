use super::*;
use std::time::Instant;

/// Shared segmenters: jieba's dictionary is built once per test binary.
fn base() -> &'static Segmenter {
    static SEGMENTER: OnceLock<Segmenter> = OnceLock::new();
    SEGMENTER.get_or_init(|| Segmenter::new(&[]))
}

fn with_jingtongban() -> &'static Segmenter {
    static SEGMENTER: OnceLock<Segmenter> = OnceLock::new();
    SEGMENTER.get_or_init(|| Segmenter::new(&["京通办".to_string()]))
}

fn counts(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(w, c)| (w.to_string(), *c)).collect()
}

fn words(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| w.to_string()).collect()
}

#[test]
fn domain_terms_stay_whole() {
    let s = base();
    for (question, term) in [
        ("办理营业执照需要准备哪些材料？", "营业执照"),
        ("一网通办上能申请公积金提取吗", "一网通办"),
        ("不动产登记需要本人到场吗", "不动产登记"),
        ("社保卡丢了怎么补办", "社保卡"),
        ("居住证到期了怎么续签", "居住证"),
        ("个体工商户怎么注销", "个体工商户"),
        ("开饭馆要办食品经营许可证吗", "食品经营许可证"),
        ("孩子的出生医学证明丢了能补吗", "出生医学证明"),
        ("灵活就业人员的养老保险怎么交", "养老保险"),
        ("积分落户今年什么时候开始申报", "积分落户"),
        ("二手房过户要交多少契税", "契税"),
    ] {
        let terms = s.terms(question);
        assert!(
            terms.iter().any(|t| t == term),
            "{question}: {term} not whole in {terms:?}"
        );
    }
    let terms = s.terms("办理营业执照需要准备哪些材料？");
    assert!(
        !terms.iter().any(|t| t == "营业" || t == "执照"),
        "{terms:?}"
    );
}

#[test]
fn stop_words_numbers_and_noise_are_dropped() {
    let s = base();
    let terms = s.terms(
        "您好，请问2026年3月办理居住证需要什么材料？可以拨打12345咨询吗？\
         三个月之内能办好吗？第一次来，ok，谢谢！",
    );
    assert_eq!(terms, words(&["居住证", "材料"]));
    for noise in [
        "12345",
        "2026",
        "2026年",
        "三个月",
        "两年",
        "第一",
        "十五天",
        "ok",
        "http",
        "办理",
        "申请",
        "什么",
        "怎么",
        "哪些",
        "需要",
        "可以",
        "是否",
        "的",
        "。",
        "居",
    ] {
        assert!(!s.is_term(noise), "{noise} should be dropped");
    }
    assert!(s.terms("12345 2026年 ！？ ok 的 了").is_empty());
}

#[test]
fn repeats_and_order_are_kept() {
    let terms =
        base().terms("社保卡丢了，社保卡和医保卡能一起补办吗？公积金贷款和商业贷款哪个划算");
    assert_eq!(
        terms,
        words(&[
            "社保卡",
            "社保卡",
            "医保卡",
            "补办",
            "公积金贷款",
            "商业贷款",
            "划算"
        ])
    );
}

#[test]
fn administrators_words_stay_whole_only_when_added() {
    let question = "京通办怎么查询个体工商户注册进度";
    let without = base().terms(question);
    assert!(!without.iter().any(|t| t == "京通办"), "{without:?}");
    let with = with_jingtongban().terms(question);
    assert_eq!(with.first().map(String::as_str), Some("京通办"), "{with:?}");
    assert!(with.iter().any(|t| t == "个体工商户"), "{with:?}");
    // An administrator's word is kept even when it is ASCII or a stop word.
    let s = Segmenter::new(&words(&["PDF", "办理"]));
    assert_eq!(s.terms("PDF怎么办理？"), words(&["PDF", "办理"]));
    assert!(base().terms("PDF怎么办理？").is_empty());
    // Adding words does not disturb the shared base segmenter.
    assert_eq!(base().terms(question), without);
}

#[test]
fn ranking_parses() {
    assert_eq!(Ranking::parse("tfidf"), Some(Ranking::TfIdf));
    assert_eq!(Ranking::parse("frequency"), Some(Ranking::Frequency));
    assert_eq!(Ranking::parse("TF-IDF"), None);
    assert_eq!(Ranking::parse(""), None);
    assert_eq!(Ranking::TfIdf.as_str(), "tfidf");
}

#[test]
fn frequency_ranking_orders_normalises_and_limits() {
    let ranked = rank(
        &counts(&[
            ("居住证", 10),
            ("营业执照", 40),
            ("公积金", 20),
            ("社保卡", 20),
            ("办理", 99),
            ("12345", 99),
            ("契税", 0),
        ]),
        Ranking::Frequency,
        base(),
        3,
    );
    assert_eq!(
        ranked,
        vec![
            Hotword {
                word: "营业执照".into(),
                weight: 1.0,
                count: 40
            },
            // Equal counts: by word, the same order every time.
            Hotword {
                word: "公积金".into(),
                weight: 0.5,
                count: 20
            },
            Hotword {
                word: "社保卡".into(),
                weight: 0.5,
                count: 20
            },
        ]
    );
    assert!(rank(&counts(&[("营业执照", 1)]), Ranking::TfIdf, base(), 0).is_empty());
    assert!(rank(&[], Ranking::TfIdf, base(), 10).is_empty());
    // Repeated words add up.
    let merged = rank(
        &counts(&[("契税", 2), ("契税", 3)]),
        Ranking::Frequency,
        base(),
        10,
    );
    assert_eq!(
        merged,
        vec![Hotword {
            word: "契税".into(),
            weight: 1.0,
            count: 5
        }]
    );
}

#[test]
fn tfidf_demotes_generic_words() {
    let s = base();
    assert!(s.idf("材料") < s.idf("社保卡"));
    // Unknown words get the median IDF: finite, positive, the same for all.
    let unknown = s.idf("京通办");
    assert!(unknown > 5.0 && unknown < 20.0, "{unknown}");
    assert_eq!(unknown, s.idf("一网通办"));
    let list = counts(&[("材料", 30), ("社保卡", 30), ("营业执照", 10)]);
    let by_count = rank(&list, Ranking::Frequency, s, 10);
    assert_eq!(by_count[0].word, "材料");
    let by_tfidf = rank(&list, Ranking::TfIdf, s, 10);
    assert_eq!(by_tfidf[0].word, "社保卡");
    assert_eq!(by_tfidf[0].weight, 1.0);
    assert_eq!(by_tfidf[1].word, "材料");
    assert!(by_tfidf[1].weight < 0.6, "{by_tfidf:?}");
    assert_eq!(by_tfidf[1].count, 30);
    assert!(by_tfidf.windows(2).all(|w| w[0].weight >= w[1].weight));
}

#[test]
fn dictionary_is_cleaned() {
    let cleaned = validate_dictionary(&words(&[
        " 京通办 ",
        "一网通办",
        "京通办",
        "",
        "ETC",
        "12345热线",
    ]));
    assert_eq!(
        cleaned,
        Ok(words(&["12345热线", "ETC", "一网通办", "京通办"]))
    );
    assert_eq!(validate_dictionary(&[]), Ok(Vec::new()));
}

#[test]
fn dictionary_rejects_bad_words_with_their_index() {
    let long = "很".repeat(21);
    let problems = validate_dictionary(&words(&[
        "京通办",
        "办",
        &long,
        "一网 通办",
        "=HYPERLINK",
        "12345",
        "社保卡!",
        "好",
    ]))
    .unwrap_err();
    assert_eq!(problems.len(), 7, "{problems:?}");
    assert!(
        problems[0].starts_with("第 2 个词“办”") && problems[0].contains("2–20"),
        "{problems:?}"
    );
    assert!(
        problems[1].starts_with("第 3 个词") && problems[1].contains("21"),
        "{problems:?}"
    );
    assert!(problems[2].starts_with("第 4 个词“一网 通办”") && problems[2].contains("空白"));
    assert!(problems[3].starts_with("第 5 个词“=HYPERLINK”") && problems[3].contains("“=”"));
    assert!(problems[4].starts_with("第 6 个词“12345”") && problems[4].contains("数字"));
    assert!(problems[5].starts_with("第 7 个词“社保卡!”"));
    assert!(problems[6].starts_with("第 8 个词“好”"));
    // Not one of them slips into an accepted dictionary.
    let many: Vec<String> = (0..2_001).map(|i| format!("词{i}")).collect();
    let problems = validate_dictionary(&many).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].contains("2000") && problems[0].contains("2001"),
        "{problems:?}"
    );
    let enough: Vec<String> = (0..2_000).map(|i| format!("词{i}")).collect();
    assert_eq!(validate_dictionary(&enough).map(|w| w.len()), Ok(2_000));
    // Thousands of bad words: the first hundred are listed, the rest summed up.
    let bad: Vec<String> = (0..500).map(|i| format!("坏 词{i}")).collect();
    let problems = validate_dictionary(&bad).unwrap_err();
    assert_eq!(problems.len(), 101);
    assert!(problems[100].contains("400"), "{problems:?}");
}

#[test]
fn segmenters_are_deterministic() {
    let a = Segmenter::new(&words(&["京通办", "接诉即办"]));
    let b = Segmenter::new(&words(&["接诉即办", "京通办", "京通办"]));
    let question = "接诉即办的诉求在京通办上怎么跟踪";
    assert_eq!(a.terms(question), b.terms(question));
    assert!(a.terms(question).iter().any(|t| t == "接诉即办"));
}

/// Prints build and segmentation speed (run with `--nocapture`, in release
/// for real figures: `cargo test -p govpulse-core --release --lib hotwords::tests::speed -- --nocapture`).
#[test]
fn speed() {
    let started = Instant::now();
    let s = base();
    let base_ms = started.elapsed().as_secs_f64() * 1e3;
    let started = Instant::now();
    s.idf("营业执照");
    let idf_table_ms = started.elapsed().as_secs_f64() * 1e3;
    let started = Instant::now();
    let _extended = Segmenter::new(&words(&["京通办", "接诉即办"]));
    let extended_ms = started.elapsed().as_secs_f64() * 1e3;
    let questions = [
        "办理营业执照需要准备哪些材料？可以网上办理吗？",
        "我是灵活就业人员，想问一下养老保险和医疗保险每个月最低交多少钱？",
        "孩子明年幼升小，非京籍需要准备哪些材料，社保要连续缴纳多久？",
        "二手房过户契税怎么算，满五唯一能免增值税吗？需要先做网签吗？",
        "公积金提取到账需要几天？租房提取每月能提多少？",
        "医保年度缴费什么时候截止，错过了还能补缴吗？",
    ];
    let rounds = 2_000;
    let started = Instant::now();
    let mut total = 0;
    for i in 0..rounds {
        total += s.terms(questions[i % questions.len()]).len();
    }
    let seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let looked_up = [
        "营业执照",
        "材料",
        "社保卡",
        "一网通办",
        "公积金贷款",
        "划算",
        "契税",
    ];
    for i in 0..rounds {
        total += s.idf(looked_up[i % looked_up.len()]).is_finite() as usize;
    }
    let idf_seconds = started.elapsed().as_secs_f64();
    println!(
        "base segmenter {base_ms:.0} ms, IDF table {idf_table_ms:.0} ms (both 0 unless run alone), \
         with extra words {extended_ms:.0} ms, \
         terms {:.0} questions/s, idf {:.0} lookups/s ({total} terms)",
        rounds as f64 / seconds,
        rounds as f64 / idf_seconds
    );
    assert!(total > rounds);
}
