//! Hostile input everywhere it enters, as property tests bounded so CI runs them
//! (`PROPTEST_CASES` raises the count): config, theme and keymap files, kubeconfigs,
//! health bodies (JSON and Prometheus text), Alertmanager answers, the audit log
//! reader and the text sanitiser. None may panic; the sanitiser's output may hold no
//! control character and must measure as it will be drawn; a parser's errors name a
//! line that exists.

mod common;

use common::hostile::{BODY, TOML, YAML, cases, hostile};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn config_files_never_panic_and_name_real_lines(text in hostile(TOML)) {
        common::hostile::config_files_never_panic_and_name_real_lines(text)?;
    }

    #[test]
    fn kubeconfigs_never_panic(text in hostile(YAML)) {
        common::hostile::kubeconfigs_never_panic(text)?;
    }

    #[test]
    fn health_bodies_and_alerts_never_panic(text in hostile(BODY), json in any::<bool>()) {
        common::hostile::health_bodies_and_alerts_never_panic(text, json)?;
    }

    #[test]
    fn sanitised_text_is_inert_and_measures_as_drawn(s in hostile(TOML), max in 0usize..50) {
        common::hostile::sanitised_text_is_inert_and_measures_as_drawn(s, max)?;
    }

    #[test]
    fn the_audit_reader_never_panics_and_never_calls_a_damaged_log_intact(n in 1u32..6, cut in any::<prop::sample::Index>(), junk in hostile(BODY)) {
        common::hostile::the_audit_reader_never_panics_and_never_calls_a_damaged_log_intact(n, cut, junk)?;
    }
}
