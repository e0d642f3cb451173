//! Hot words of consultation questions (DASH-5, 咨询热点).
//!
//! A question is segmented with jieba (its bundled dictionary), the
//! government-domain dictionary in `gov_dict.txt` and the administrators'
//! own words, so that terms such as 营业执照 or 一网通办 stay whole. What is
//! left after dropping stop words (`stopwords.txt`: function words, question
//! words, hotline formulas and words nearly every question has, such as 办理
//! and 申请), numbers, single characters, punctuation and ASCII-only tokens
//! are the question's [`Segmenter::terms`]. Word counts over a period are
//! then [`rank`]ed by frequency or by tf-idf, with jieba's IDF table.
//!
//! Loading jieba's dictionary (with the domain dictionary) costs ~100 ms and
//! its IDF table ~130 ms in release builds (~165 and ~190 ms in debug builds,
//! where the workspace optimises jieba-rs), so both are loaded once per
//! process, on first use, and shared; a segmenter with administrators' words
//! is a copy of the base one with those words added (~15–25 ms).

use jieba_rs::{Jieba, KeywordExtract, KeywordExtractConfig, TfIdf};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, OnceLock};

#[cfg(test)]
mod tests;

/// The government-domain dictionary: `word freq tag` per line, `#` comments.
const GOV_DICT: &str = include_str!("gov_dict.txt");
/// Stop words, one per line, `#` comments.
const STOP_WORDS: &str = include_str!("stopwords.txt");
/// Whether jieba may join characters its dictionaries do not know into new
/// words (HMM). Off: such joins are mostly noise in short questions
/// (请问京, 的吗), and words the dictionaries lack are what the
/// administrators' dictionary is for.
const HMM: bool = false;
/// jieba frequency of an administrator's word: high enough that the word is
/// kept whole next to common words, as the domain dictionary's words are.
const EXTRA_WORD_FREQ: usize = 3_000;
/// Longest word the dictionary accepts, and longest term kept.
const MAX_WORD_CHARS: usize = 20;
/// Most words in the administrators' dictionary.
pub const MAX_DICTIONARY_WORDS: usize = 2_000;
/// Most problems [`validate_dictionary`] lists before summarising the rest.
const MAX_PROBLEMS: usize = 100;

/// Lines of a bundled data file that are not blank or comments.
fn data_lines(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
}

/// The words of the government-domain dictionary.
fn gov_words() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| {
        data_lines(GOV_DICT)
            .filter_map(|line| line.split_whitespace().next())
            .collect()
    })
}

fn stop_words() -> &'static HashSet<&'static str> {
    static WORDS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| data_lines(STOP_WORDS).collect())
}

/// jieba with its bundled dictionary and the government dictionary.
fn base_jieba() -> &'static Arc<Jieba> {
    static BASE: OnceLock<Arc<Jieba>> = OnceLock::new();
    BASE.get_or_init(|| {
        let mut jieba = Jieba::new();
        for line in data_lines(GOV_DICT) {
            let mut fields = line.split_whitespace();
            let Some(word) = fields.next() else { continue };
            let freq = fields.next().and_then(|f| f.parse().ok());
            let tag = fields.next();
            jieba.add_word(word, freq.or(Some(EXTRA_WORD_FREQ)), tag);
        }
        Arc::new(jieba)
    })
}

/// jieba's IDF table, and its median IDF (what unknown words get).
fn idf_table() -> &'static (TfIdf, f64) {
    static TABLE: OnceLock<(TfIdf, f64)> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut tfidf = TfIdf::default();
        // Every word is a keyword here: filtering is the segmenter's job.
        *tfidf.config_mut() = KeywordExtractConfig::builder()
            .set_stop_words(BTreeSet::new())
            .min_keyword_length(1)
            .use_hmm(false)
            .build();
        // Rare CJK characters that no IDF entry holds: answered with the median.
        let median = idf_lookup(&tfidf, "龘靐齉爩龘靐").unwrap_or(11.0);
        (tfidf, median)
    })
}

/// The IDF jieba's table gives `word` (the median when it has none); `None`
/// when `word` is not a single token.
fn idf_lookup(tfidf: &TfIdf, word: &str) -> Option<f64> {
    /// Words a lookup jieba holds before it is replaced by an empty one.
    const LOOKUP_WORDS: usize = 4_096;
    thread_local! {
        static LOOKUP: RefCell<(Jieba, usize)> = RefCell::new((Jieba::empty(), 0));
    }
    // TfIdf keeps its table private and only answers through keyword
    // extraction, which segments first. In a jieba whose only words are the
    // words looked up, all with one frequency, `word` is the only token of
    // `word` (one word is likelier than any split into several), so its
    // tf-idf is its IDF. An empty jieba costs half a MB, hence one per thread.
    LOOKUP.with_borrow_mut(|(jieba, words)| {
        if !jieba.has_word(word) {
            if *words >= LOOKUP_WORDS {
                *jieba = Jieba::empty();
                *words = 0;
            }
            jieba.add_word(word, Some(1_000), Some("n"));
            *words += 1;
        }
        let best = tfidf.extract_keywords(jieba, word, 1, Vec::new());
        best.first()
            .filter(|keyword| keyword.keyword == word)
            .map(|keyword| keyword.weight)
    })
}

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'     // CJK Unified Ideographs
        | '\u{3400}'..='\u{4DBF}'   // Extension A
        | '\u{F900}'..='\u{FAFF}'   // Compatibility Ideographs
        | '\u{20000}'..='\u{2EBEF}' // Extensions B–F
        | '\u{30000}'..='\u{3134F}' // Extension G
    )
}

/// Digits and Chinese numerals, optionally followed by a unit: 12345, 2026,
/// 三年, 两个, 三个月, 第一, 十五天, 半年.
fn is_number(word: &str) -> bool {
    const NUMERALS: &str =
        "0123456789０１２３４５６７８９〇零一二三四五六七八九十百千万亿两俩半几数多余第";
    const UNITS: &[&str] = &[
        "年",
        "月",
        "日",
        "号",
        "天",
        "岁",
        "元",
        "块",
        "角",
        "分",
        "秒",
        "时",
        "点",
        "周",
        "期",
        "届",
        "页",
        "份",
        "人",
        "位",
        "套",
        "件",
        "张",
        "本",
        "项",
        "次",
        "个",
        "条",
        "户",
        "间",
        "栋",
        "层",
        "米",
        "个月",
        "个人",
        "周岁",
        "小时",
        "分钟",
        "公里",
        "平米",
        "平方米",
        "万元",
        "块钱",
        "年级",
        "年度",
        "工作日",
    ];
    let rest = word.trim_start_matches(|c| NUMERALS.contains(c));
    rest.len() < word.len() && (rest.is_empty() || UNITS.contains(&rest))
}

/// A jieba segmenter for hot words: the bundled dictionary, the
/// government-domain dictionary (`gov_dict.txt`) and the administrators'
/// extra words.
///
/// Cheap to clone (the dictionary is shared behind an `Arc`) and safe to share
/// between threads. Without extra words every segmenter shares one base
/// dictionary built on first use; with extra words, [`Segmenter::new`] copies
/// the base dictionary and adds them (a few ms in release builds), so build
/// one when the administrators' dictionary changes, not per request.
#[derive(Clone)]
pub struct Segmenter {
    jieba: Arc<Jieba>,
    /// The administrators' words: always kept, even an ASCII word or one the
    /// stop-word list has.
    extra: Arc<HashSet<String>>,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut extra: Vec<&String> = self.extra.iter().collect();
        extra.sort();
        f.debug_struct("Segmenter").field("extra", &extra).finish()
    }
}

impl Default for Segmenter {
    fn default() -> Self {
        Segmenter::new(&[])
    }
}

impl Segmenter {
    /// Base dictionary + government dictionary + `extra_words` (trimmed; blank
    /// ones ignored — check them first with [`validate_dictionary`]).
    pub fn new(extra_words: &[String]) -> Segmenter {
        let extra: HashSet<String> = extra_words
            .iter()
            .map(|word| word.trim())
            .filter(|word| !word.is_empty())
            .map(str::to_string)
            .collect();
        let base = base_jieba();
        let jieba = if extra.is_empty() {
            Arc::clone(base)
        } else {
            let mut jieba = Jieba::clone(base);
            let mut words: Vec<&String> = extra.iter().collect();
            words.sort(); // the same dictionary whatever the order given
            for word in words {
                let freq = jieba.suggest_freq(word).max(EXTRA_WORD_FREQ);
                jieba.add_word(word, Some(freq), Some("n"));
            }
            Arc::new(jieba)
        };
        Segmenter {
            jieba,
            extra: Arc::new(extra),
        }
    }

    /// The meaningful words of `text`, in order, repeats kept: stop words,
    /// punctuation, numbers (12345, 2026年 → 2026 and 年, 三个月), single
    /// characters and ASCII-only tokens are dropped. Words of the government
    /// dictionary and the administrators' words are always kept.
    pub fn terms(&self, text: &str) -> Vec<String> {
        // Iterated by reference, not `into_iter()`: collecting in place would
        // keep jieba's token buffer (24 bytes per byte of `text`) as
        // the capacity of the few words returned — 1.4 GB for the questions
        // of one 64 MiB intake body.
        self.jieba
            .cut(text, HMM)
            .iter()
            .filter(|token| self.is_term(token.word))
            .map(|token| token.word.to_string())
            .collect()
    }

    /// Whether `word` is worth counting (what [`Segmenter::terms`] keeps).
    pub fn is_term(&self, word: &str) -> bool {
        if self.extra.contains(word) || gov_words().contains(word) {
            return true;
        }
        let chars = word.chars().count();
        (2..=MAX_WORD_CHARS).contains(&chars)
            && word.chars().any(is_cjk)
            && word.chars().all(|c| is_cjk(c) || c.is_ascii_alphanumeric())
            && !is_number(word)
            && !stop_words().contains(word)
    }

    /// jieba's inverse document frequency of `word` (its median IDF when the
    /// table does not have the word, as for most domain terms).
    pub fn idf(&self, word: &str) -> f64 {
        let (tfidf, median) = idf_table();
        idf_lookup(tfidf, word).unwrap_or(*median)
    }
}

/// One hot word: `weight` is relative to the first word's (1.0).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hotword {
    pub word: String,
    pub weight: f64,
    pub count: u64,
}

/// How hot words are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranking {
    /// count × jieba IDF: words common in any Chinese text count for less.
    TfIdf,
    /// By count alone.
    Frequency,
}

impl Ranking {
    /// `tfidf` or `frequency`.
    pub fn parse(text: &str) -> Option<Ranking> {
        match text {
            "tfidf" => Some(Ranking::TfIdf),
            "frequency" => Some(Ranking::Frequency),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Ranking::TfIdf => "tfidf",
            Ranking::Frequency => "frequency",
        }
    }
}

/// Rank word counts: Frequency by count; TfIdf by count × idf. Weights are
/// normalised so the first word has 1.0; ties are broken by word for
/// determinism; at most `limit` words. Repeated words are added up; words
/// with no count, and words `segmenter` would not keep (counted under an
/// older stop-word list, say), are left out.
pub fn rank(
    counts: &[(String, u64)],
    ranking: Ranking,
    segmenter: &Segmenter,
    limit: usize,
) -> Vec<Hotword> {
    let mut merged: HashMap<&str, u64> = HashMap::new();
    for (word, count) in counts {
        if *count > 0 && segmenter.is_term(word) {
            *merged.entry(word.as_str()).or_default() += count;
        }
    }
    let mut scored: Vec<(f64, &str, u64)> = merged
        .into_iter()
        .map(|(word, count)| {
            let score = match ranking {
                Ranking::Frequency => count as f64,
                Ranking::TfIdf => count as f64 * segmenter.idf(word),
            };
            (score, word, count)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.truncate(limit);
    let top = scored.first().map_or(1.0, |first| first.0);
    scored
        .into_iter()
        .map(|(score, word, count)| Hotword {
            word: word.to_string(),
            weight: if top > 0.0 { score / top } else { 0.0 },
            count,
        })
        .collect()
}

/// At most this much of an offending word is quoted in a problem.
fn quote(word: &str) -> String {
    const SHOWN: usize = 30;
    if word.chars().count() > SHOWN {
        format!("{}…", word.chars().take(SHOWN).collect::<String>())
    } else {
        word.to_string()
    }
}

/// Check an administrator's dictionary: at most 2,000 distinct words, each
/// 2–20 characters of CJK letters, ASCII letters and digits (no spaces, no
/// punctuation — so nothing a spreadsheet takes for a formula — and not
/// digits alone). Surrounding whitespace is trimmed, blank entries and
/// repeats are dropped.
///
/// Returns the cleaned words, deduplicated and sorted, or the problems in
/// Chinese for a 400 answer, each naming the word and its position (1-based,
/// 第 N 个词), the first 100 of them.
pub fn validate_dictionary(words: &[String]) -> Result<Vec<String>, Vec<String>> {
    let mut problems = Vec::new();
    let mut bad = 0usize;
    let mut clean = BTreeSet::new();
    for (index, raw) in words.iter().enumerate() {
        let word = raw.trim();
        if word.is_empty() {
            continue;
        }
        let chars = word.chars().count();
        let problem = if !(2..=MAX_WORD_CHARS).contains(&chars) {
            Some(format!(
                "长度为 {chars} 个字符，须为 2–{MAX_WORD_CHARS} 个字符"
            ))
        } else if let Some(c) = word
            .chars()
            .find(|c| !is_cjk(*c) && !c.is_ascii_alphanumeric())
        {
            let shown = if c.is_whitespace() {
                "空白".to_string()
            } else {
                format!("“{c}”")
            };
            Some(format!(
                "含有不允许的字符 {shown}，只能使用汉字、英文字母和数字"
            ))
        } else if word.chars().all(|c| c.is_ascii_digit()) {
            Some("不能只由数字组成".to_string())
        } else {
            None
        };
        match problem {
            Some(problem) => {
                bad += 1;
                if problems.len() < MAX_PROBLEMS {
                    problems.push(format!("第 {} 个词“{}”{problem}", index + 1, quote(word)));
                }
            }
            None => {
                clean.insert(word.to_string());
            }
        }
    }
    if bad > problems.len() {
        problems.push(format!("另有 {} 个词有问题未列出", bad - problems.len()));
    }
    if clean.len() > MAX_DICTIONARY_WORDS {
        problems.push(format!(
            "词典最多 {MAX_DICTIONARY_WORDS} 个词，提交了 {} 个（去重后）",
            clean.len()
        ));
    }
    if problems.is_empty() {
        Ok(clean.into_iter().collect())
    } else {
        Err(problems)
    }
}
