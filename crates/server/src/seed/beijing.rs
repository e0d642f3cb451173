//! The demo organisation: Beijing (110000), its 16 districts and the Beijing
//! Economic-Technological Development Area, a sample of streets and
//! communities, and city- and district-level departments.
//!
//! District codes follow GB/T 2260. The development area is a functional zone
//! without a GB/T 2260 code; it uses `110302` here. Street and community codes
//! follow the GB/T 2260 extension pattern (district + 3 digits, street + 3 digits)
//! but are illustrative.

pub const CITY: (&str, &str) = ("110000", "北京市");

pub const DISTRICTS: &[(&str, &str, &[&str])] = &[
    (
        "110101",
        "东城区",
        &[
            "东华门街道",
            "景山街道",
            "交道口街道",
            "安定门街道",
            "北新桥街道",
        ],
    ),
    (
        "110102",
        "西城区",
        &[
            "西长安街街道",
            "新街口街道",
            "月坛街道",
            "展览路街道",
            "德胜街道",
        ],
    ),
    (
        "110105",
        "朝阳区",
        &[
            "建外街道",
            "朝外街道",
            "呼家楼街道",
            "三里屯街道",
            "左家庄街道",
            "香河园街道",
            "和平街街道",
            "安贞街道",
            "亚运村街道",
            "望京街道",
        ],
    ),
    (
        "110106",
        "丰台区",
        &[
            "右安门街道",
            "太平桥街道",
            "西罗园街道",
            "大红门街道",
            "南苑街道",
        ],
    ),
    (
        "110107",
        "石景山区",
        &["八宝山街道", "老山街道", "八角街道", "古城街道"],
    ),
    (
        "110108",
        "海淀区",
        &[
            "万寿路街道",
            "羊坊店街道",
            "甘家口街道",
            "八里庄街道",
            "紫竹院街道",
            "北下关街道",
            "北太平庄街道",
            "学院路街道",
            "中关村街道",
            "海淀街道",
        ],
    ),
    (
        "110109",
        "门头沟区",
        &["大峪街道", "城子街道", "东辛房街道"],
    ),
    (
        "110111",
        "房山区",
        &["城关街道", "新镇街道", "向阳街道", "拱辰街道"],
    ),
    (
        "110112",
        "通州区",
        &["中仓街道", "新华街道", "北苑街道", "玉桥街道"],
    ),
    ("110113", "顺义区", &["胜利街道", "光明街道", "仁和镇"]),
    (
        "110114",
        "昌平区",
        &["城北街道", "城南街道", "回龙观街道", "天通苑北街道"],
    ),
    (
        "110115",
        "大兴区",
        &["兴丰街道", "林校路街道", "清源街道", "亦庄镇"],
    ),
    ("110116", "怀柔区", &["泉河街道", "龙山街道"]),
    ("110117", "平谷区", &["滨河街道", "兴谷街道"]),
    ("110118", "密云区", &["鼓楼街道", "果园街道"]),
    ("110119", "延庆区", &["百泉街道", "香水园街道", "儒林街道"]),
    ("110302", "北京经济技术开发区", &["荣华街道", "博兴街道"]),
];

/// A few communities (社区) so the fourth level of the tree is real.
pub const COMMUNITIES: &[(&str, &str)] = &[
    ("110105001001", "建国门外大街社区"),
    ("110105001002", "永安里社区"),
    ("110105004001", "三里屯社区"),
    ("110108009001", "中关村社区"),
    ("110108009002", "科育社区"),
];

/// City-level departments (委办局), coded `110000D001…`.
pub const CITY_DEPARTMENTS: &[&str] = &[
    "市发展改革委",
    "市教委",
    "市科委、中关村管委会",
    "市经济和信息化局",
    "市民族宗教委",
    "市公安局",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人力资源社会保障局",
    "市规划自然资源委",
    "市生态环境局",
    "市住房城乡建设委",
    "市城市管理委",
    "市交通委",
    "市水务局",
    "市农业农村局",
    "市商务局",
    "市文化和旅游局",
    "市卫生健康委",
    "市退役军人局",
    "市应急管理局",
    "市国资委",
    "市市场监管局",
    "市广电局",
    "市体育局",
    "市统计局",
    "市园林绿化局",
    "市医保局",
    "市金融监管局",
    "市政务服务和数据管理局",
    "市人防办",
    "市药监局",
    "市知识产权局",
    "市文物局",
    "市消防救援总队",
    "市税务局",
    "市残联",
    "市气象局",
    "市住房公积金管理中心",
];

/// Departments every district has, coded `{district}D001…`; named with the district.
pub const DISTRICT_DEPARTMENTS: &[&str] = &[
    "发展改革委",
    "教委",
    "公安分局",
    "民政局",
    "人力资源社会保障局",
    "住房城乡建设委",
    "市场监管局",
    "卫生健康委",
    "政务服务和数据管理局",
    "城市管理委",
    "商务局",
    "文化和旅游局",
];

/// The department the demo `dept` user belongs to: 市市场监管局.
pub const DEMO_DEPARTMENT: &str = "110000D024";

/// Department code for the `index`-th (0-based) department of a region.
pub fn department_code(region: &str, index: usize) -> String {
    format!("{region}D{:03}", index + 1)
}
