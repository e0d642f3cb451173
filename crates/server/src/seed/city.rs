//! The cities a demo can be generated for (`govpulse demo --city CODE`):
//! region tree, departments, demo district operators and the districts that
//! get the showcase and the planted bad records.

pub use super::beijing::BEIJING;
pub use super::changzhou::CHANGZHOU;

/// District: GB/T 2260 code, name, streets (their codes are the district's
/// followed by 001, 002 … in this order).
pub type District = (&'static str, &'static str, &'static [&'static str]);

/// A city the demo knows.
pub struct DemoCity {
    pub code: &'static str,
    pub name: &'static str,
    pub districts: &'static [District],
    /// Relative case volume of districts, roughly by population (others 3).
    pub weights: &'static [(&'static str, u32)],
    /// A few communities (社区), so the fourth level of the tree is real.
    pub communities: &'static [(&'static str, &'static str)],
    /// City-level departments, coded `{city}D001…`. Index-aligned across
    /// cities (the item catalogue maps sample departments by index): 0 发展改革,
    /// 1 教育, 5 公安, 23 市场监管, 28 医保, 30 政务服务 ….
    pub city_departments: &'static [&'static str],
    /// Departments every district has, coded `{district}D001…`, named with the
    /// district; index-aligned like `city_departments`.
    pub district_departments: &'static [&'static str],
    /// District operators' demo accounts: username, password, display name, district.
    pub operators: &'static [(&'static str, &'static str, &'static str, &'static str)],
    /// Districts that get the showcase cases; the first also gets the
    /// deliberately bad records of the data quality demo.
    pub showcase: [&'static str; 3],
}

/// Every demo city, Beijing (the default) first.
pub const CITIES: &[&DemoCity] = &[&BEIJING, &CHANGZHOU];

/// The demo city with this code.
pub fn city(code: &str) -> Option<&'static DemoCity> {
    CITIES.iter().copied().find(|c| c.code == code)
}

/// Index of the department the demo `dept` user belongs to (市市场监管局).
const DEMO_DEPARTMENT_INDEX: usize = 23;

impl DemoCity {
    /// Department code for the `index`-th (0-based) department of a region.
    pub fn department_code(region: &str, index: usize) -> String {
        format!("{region}D{:03}", index + 1)
    }

    /// The city's market regulation department (the demo `dept` user's).
    pub fn demo_department(&self) -> String {
        Self::department_code(self.code, DEMO_DEPARTMENT_INDEX)
    }

    /// Relative case volume of a district.
    pub fn weight(&self, district: &str) -> u32 {
        self.weights
            .iter()
            .find(|(code, _)| *code == district)
            .map_or(3, |(_, w)| *w)
    }

    /// Whether this is the built-in Beijing organisation (the demo's work
    /// orders and guidance scenarios are written for it).
    pub fn is_beijing(&self) -> bool {
        self.code == BEIJING.code
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use govpulse_core::region::{in_subtree, RegionLevel};

    #[test]
    fn every_city_is_consistent() {
        for city in CITIES {
            assert_eq!(RegionLevel::of_code(city.code), Some(RegionLevel::City));
            assert_eq!(city.city_departments.len(), 40, "{}", city.name);
            assert_eq!(city.district_departments.len(), 12, "{}", city.name);
            let districts: Vec<&str> = city.districts.iter().map(|d| d.0).collect();
            for code in districts.iter().chain(city.showcase.iter()) {
                assert!(in_subtree(city.code, code), "{code}");
            }
            for code in city
                .showcase
                .iter()
                .chain(city.operators.iter().map(|o| &o.3))
            {
                assert!(districts.contains(code), "{code}");
            }
            for (code, _) in city.communities {
                assert!(districts.contains(&&code[..6]), "{code}");
            }
            assert!(city.city_departments[DEMO_DEPARTMENT_INDEX].contains("市场监"));
        }
        assert_eq!(city("320400").map(|c| c.name), Some("常州市"));
        assert_eq!(BEIJING.demo_department(), super::super::DEMO_DEPARTMENT);
    }
}
