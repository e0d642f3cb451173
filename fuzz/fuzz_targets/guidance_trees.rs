//! Guidance trees (情形引导) as an editor saves them: validated; a valid tree is
//! walked for coverage and answered with no choice and with every first option.
#![no_main]
use govpulse_core::guidance::answer::{evaluate, Answers};
use govpulse_core::guidance::coverage::check;
use govpulse_core::guidance::TreeBody;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(tree) = serde_json::from_slice::<TreeBody>(data) else {
        return;
    };
    if !tree.validate().is_empty() {
        return;
    }
    let _ = check(&tree);
    let _ = evaluate(&tree, &Answers::new());
    let first: Answers = tree
        .questions
        .iter()
        .filter_map(|q| Some((q.code.clone(), vec![q.options.first()?.code.clone()])))
        .collect();
    let _ = evaluate(&tree, &first);
});
