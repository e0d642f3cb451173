//! Demo consultation questions: what citizens and companies really ask the
//! 12345 hotline and service windows, by topic, so that a month of demo
//! questions gives a word cloud with meaningful, varied hot words.
//!
//! A question's topic follows its item where the item's name says what it is
//! about (社保, 公积金, 营业执照 …); the rest are general questions about the
//! item or questions on any topic (people ask 12345 about everything). In the
//! last month a few seasonal topics (医保年度缴费, 个税专项附加扣除, 供暖)
//! grow towards the end, so the cloud has a story. `{}` is the item's name.

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

struct Topic {
    /// Any of these in an item's name makes the item this topic's.
    keywords: &'static [&'static str],
    /// How often the topic comes up when a question is not about the item.
    weight: u32,
    questions: &'static [&'static str],
}

const TOPICS: &[Topic] = &[
    Topic {
        keywords: &[
            "社会保险",
            "养老保险",
            "社保",
            "工伤",
            "视同缴费",
            "待遇领取",
        ],
        weight: 12,
        questions: &[
            "我从外省调到北京工作，社保关系怎么转移过来？",
            "辞职以后社保断缴了一个月，对以后买房和积分落户有影响吗？",
            "灵活就业人员在哪里办理养老保险参保登记？每个月最低交多少？",
            "单位少给我交了半年社保，可以补缴吗？找哪个部门？",
            "社保卡丢了怎么挂失补办？补办期间看病怎么办？",
            "第三代社保卡在哪里换领，旧卡里的钱会不会清零？",
            "社保缴费基数今年什么时候调整，调整后要补差额吗？",
            "怎么打印本人的社保缴费证明？网上能开吗？",
            "养老保险累计缴费满十五年以后还能继续交吗？",
            "在外地交了几年养老保险，退休时能合并计算缴费年限吗？",
            "工伤认定需要提交哪些材料，单位不配合申报怎么办？",
            "{}需要单位经办人去窗口吗？能不能在网上申报？",
            "个人权益记录单在哪里查询和打印？",
        ],
    },
    Topic {
        keywords: &[
            "医疗保障",
            "医疗保险",
            "医保",
            "就医",
            "生育保险",
            "医疗救助",
        ],
        weight: 11,
        questions: &[
            "去外地长期居住，异地就医备案怎么办理？备案后能直接结算吗？",
            "在外地住院花的钱回北京怎么手工报销？要带哪些单据？",
            "门诊报销的起付线是多少，报销比例是怎么算的？",
            "医保电子凭证怎么激活，看病时能代替社保卡吗？",
            "孩子刚出生，新生儿参保怎么办理？出生前的费用能报吗？",
            "换了工作，职工医保中断了几天，住院还能报销吗？",
            "门诊特殊病怎么申请，糖尿病能不能办门特？",
            "医保个人账户的钱可以给家人用吗？家庭共济怎么绑定？",
            "退休人员的医保还需要继续缴费吗？",
            "{}报销一般多长时间能到账？进度在哪里看？",
            "买药的时候医保卡刷不了是什么原因？",
            "大病保险的二次报销需要自己申请吗？",
        ],
    },
    Topic {
        keywords: &["公积金"],
        weight: 9,
        questions: &[
            "租房提取公积金每个月能提多少？需要租房合同吗？",
            "公积金贷款最高能贷多少，贷款额度是怎么算的？",
            "离职以后公积金怎么提取？要等半年吗？",
            "在外地买房可以用北京的公积金吗？",
            "公积金转移到另一个城市怎么操作，要本人去柜台吗？",
            "商业贷款能转成公积金贷款吗？商转公要准备什么？",
            "单位没有给我交公积金，去哪里投诉？",
            "公积金提前还款需要预约吗？能部分提前还吗？",
            "父母买房可以提取子女的公积金吗？",
            "公积金账户余额和缴存明细在哪里查？",
            "退休了公积金怎么销户提取？",
        ],
    },
    Topic {
        keywords: &[
            "个体工商户",
            "个体",
            "公司",
            "企业",
            "合伙",
            "设立登记",
            "注销登记",
            "变更登记",
            "股权",
            "合作社",
        ],
        weight: 9,
        questions: &[
            "开一家小超市，注册个体工商户还是公司好？",
            "个体户营业执照网上怎么申请，多久能拿到？",
            "用家里的住宅做注册地址可以吗？需要什么证明？",
            "公司要变更法定代表人，需要所有股东到场签字吗？",
            "公司很久没经营了，简易注销要满足什么条件？",
            "营业执照丢了怎么补办，需要登报声明吗？",
            "电子营业执照怎么下载，能不能代替纸质的用？",
            "企业年报忘了报，被列入经营异常名录怎么移出？",
            "经营范围想增加一项食品销售，要先办许可吗？",
            "公司股权转让需要交什么税，变更登记在哪办？",
            "新公司刻公章、银行开户能一次办完吗？",
            "{}能在一网通办上全程网办吗？",
            "外地人可以在北京注册个体工商户吗？",
        ],
    },
    Topic {
        keywords: &[
            "食品",
            "餐饮",
            "药品",
            "卫生许可",
            "烟草",
            "医疗器械",
            "小作坊",
        ],
        weight: 5,
        questions: &[
            "开一家小餐馆，食品经营许可证怎么申请？",
            "只在网上卖预包装食品，需要办食品经营许可吗？",
            "食品经营许可证到期了怎么延续，要提前多久申请？",
            "店铺搬到隔壁地址，食品经营许可证需要重新办吗？",
            "餐饮店员工的健康证在哪里办，多少钱？",
            "小作坊登记和食品生产许可有什么区别？",
            "开美容院要办公共场所卫生许可证吗？",
            "烟草专卖零售许可证和营业执照的地址不一样行不行？",
            "药店卖第二类医疗器械需要备案吗？",
            "{}现场核查一般会看哪些地方？",
        ],
    },
    Topic {
        keywords: &[
            "户口",
            "户籍",
            "居住证",
            "身份证",
            "落户",
            "迁移",
            "无犯罪",
            "亲属关系",
            "民族成份",
            "住宿登记",
        ],
        weight: 9,
        questions: &[
            "积分落户今年什么时候开始申报，积分怎么算？",
            "居住证到期了怎么续签？社保断过能不能办？",
            "第一次办居住证需要租房合同和社保证明吗？",
            "孩子在北京出生，新生儿落户需要父母都到场吗？",
            "户口从老家迁到北京，需要先回老家开准迁证吗？",
            "身份证快到期了，在北京能异地换领吗？",
            "身份证丢了，补办期间坐高铁可以用临时身份证吗？",
            "无犯罪记录证明在哪里开，网上能申请吗？",
            "集体户口怎么开户籍证明？",
            "投靠落户对老人有什么条件？",
            "{}需要本人到派出所吗？能不能委托家属办？",
            "亲属关系证明现在还开吗？去哪个部门开？",
        ],
    },
    Topic {
        keywords: &[
            "不动产",
            "房屋",
            "商品房",
            "住房",
            "房产",
            "抵押",
            "宅基地",
            "预售",
            "物业",
            "征收",
        ],
        weight: 9,
        questions: &[
            "二手房过户需要买卖双方都到场吗？流程是怎样的？",
            "二手房过户要交哪些税，契税按多少算？",
            "满五唯一的房子卖了还要交个人所得税吗？",
            "贷款还清了，抵押注销怎么办理？",
            "新房交房后多久能办不动产权证书？",
            "父母去世了，房产继承过户必须先做继承公证吗？",
            "房本上想加配偶的名字，需要交税吗？",
            "购房资格审核要多长时间，社保要连续交满几年？",
            "共有产权房的申请条件是什么，怎么摇号？",
            "公租房申请到轮候要多久？",
            "房屋租赁备案网上能办吗？房东不配合怎么办？",
            "老旧小区加装电梯的补贴怎么申请？",
            "{}的受理窗口在哪个不动产登记中心？",
        ],
    },
    Topic {
        keywords: &[
            "学校",
            "幼儿园",
            "学籍",
            "入学",
            "教师",
            "助学",
            "招生",
            "学生",
            "考试",
        ],
        weight: 7,
        questions: &[
            "非京籍孩子幼升小需要准备哪些材料，四证齐全指什么？",
            "幼升小入学信息采集什么时候开始，在哪个网站填？",
            "孩子从外地转学回北京，学籍转移怎么办？",
            "租房的家庭孩子能在片区就近入学吗？",
            "小升初是按学区派位还是多校划片？",
            "普惠性幼儿园怎么报名，收费标准是多少？",
            "教师资格认定需要体检吗，什么时候申请？",
            "国家助学贷款第一次申请要带哪些材料？",
            "随迁子女在北京可以参加中考吗？",
            "孩子学籍信息填错了怎么更正？",
            "{}每年什么时候开放申请？",
        ],
    },
    Topic {
        keywords: &["养老", "老年", "高龄", "退休"],
        weight: 6,
        questions: &[
            "我明年到退休年龄，退休手续需要自己去办吗？",
            "养老金领取资格认证怎么在手机上做？",
            "高龄津贴满多少岁可以领，要自己申请吗？",
            "老年卡丢了怎么补办，乘公交免费吗？",
            "社区养老驿站的助餐服务怎么申请？",
            "家里老人失能了，长期护理保险怎么申请？",
            "适老化改造有补贴吗？找街道还是社区？",
            "公办养老机构怎么排队入住，费用多少？",
            "退休后从外地回北京，养老金领取地可以转吗？",
            "养老金今年调整了多少，什么时候补发？",
        ],
    },
    Topic {
        keywords: &[
            "婚姻",
            "结婚",
            "离婚",
            "收养",
            "出生医学证明",
            "生育",
            "母婴",
            "计划生育",
            "独生子女",
        ],
        weight: 6,
        questions: &[
            "结婚登记需要提前预约吗？要带户口本吗？",
            "两个人都是外地户口，能在北京办结婚登记吗？",
            "结婚证丢了怎么补领？",
            "孩子的出生医学证明名字写错了怎么办？",
            "出生医学证明丢了可以补发吗，要去哪家医院？",
            "生育津贴怎么申领，需要单位办还是个人办？",
            "生二孩需要办生育登记吗？",
            "独生子女父母奖励费退休后还能领吗？",
            "离婚冷静期是多少天，期间能撤回吗？",
            "{}需要夫妻双方一起到场吗？",
        ],
    },
    Topic {
        keywords: &["税", "发票", "纳税"],
        weight: 6,
        questions: &[
            "个税年度汇算在哪里申报，退税多久能到账？",
            "个人所得税APP里的收入和实际收入对不上怎么办？",
            "小规模纳税人怎么开增值税专用发票？",
            "个人出租房屋怎么代开发票，要交哪些税？",
            "数电发票开错了怎么红冲？",
            "完税证明在哪里打印？",
            "新办企业第一次领用发票需要带什么？",
            "小规模纳税人增值税有减免优惠吗？",
            "开具个人所得税纳税记录能在网上办吗？",
            "{}可以在电子税务局办理吗？",
        ],
    },
    Topic {
        keywords: &[
            "机动车",
            "驾驶",
            "道路运输",
            "出租汽车",
            "车辆",
            "客运",
            "货运",
            "网约车",
            "拖拉机",
            "公路",
        ],
        weight: 6,
        questions: &[
            "驾驶证到期换证需要体检吗？能在网上办吗？",
            "驾驶证丢了怎么补办，外地驾照能在北京补吗？",
            "车辆年检现在几年一检？新能源车需要年检吗？",
            "小客车指标摇号家庭积分怎么算？",
            "外地车牌的车进京证一年能办几次？",
            "电动自行车上牌需要带什么，旧车还能上牌吗？",
            "二手车过户需要双方本人到车管所吗？",
            "网约车驾驶员证怎么考，要什么条件？",
            "道路运输证年审在哪里办？",
            "交通违法记录在哪查，罚款能网上交吗？",
            "{}需要准备车辆行驶证原件吗？",
        ],
    },
    Topic {
        keywords: &[
            "就业",
            "创业",
            "失业",
            "职业技能",
            "人力资源",
            "劳动",
            "技能",
            "人才",
            "劳务派遣",
        ],
        weight: 7,
        questions: &[
            "失业保险金怎么申领，一个月能领多少？",
            "被公司辞退了，失业登记在哪里办？",
            "灵活就业人员有社保补贴吗？怎么申请？",
            "大学毕业生的档案应该转到哪里？",
            "一次性创业补贴需要什么条件，什么时候发放？",
            "职业技能培训补贴怎么领，哪些证书能报？",
            "公司拖欠工资两个月了，可以申请劳动仲裁吗？",
            "创业担保贷款最多能贷多少，要担保人吗？",
            "高校毕业生就业见习有补贴吗？",
            "人力资源服务许可证的申请条件是什么？",
            "{}在哪个人社窗口受理？",
        ],
    },
    Topic {
        keywords: &[
            "低保",
            "最低生活保障",
            "救助",
            "残疾",
            "特困",
            "社会组织",
            "殡葬",
            "退役",
            "优抚",
            "军人",
        ],
        weight: 5,
        questions: &[
            "家里收入低，低保怎么申请，要查银行流水吗？",
            "残疾人证怎么办理，评残要去哪家医院？",
            "重度残疾人护理补贴每个月多少，怎么申请？",
            "生了大病花销太大，能申请临时救助吗？",
            "退役军人优待证怎么申领，有什么用？",
            "老人去世了，丧葬补助和抚恤金怎么领？",
            "特困供养的条件是什么？",
            "社会组织年检在哪里报？",
            "{}审核通过后多久开始发放？",
        ],
    },
    Topic {
        keywords: &[
            "建设工程",
            "施工",
            "规划",
            "消防",
            "建筑",
            "排污",
            "环境影响",
            "特种设备",
            "危险化学品",
        ],
        weight: 3,
        questions: &[
            "建筑工程施工许可证怎么申请，要先办规划许可证吗？",
            "小型装修工程需要消防验收还是备案？",
            "建设工程规划许可证办理时限是多少个工作日？",
            "排污许可证是登记管理还是重点管理怎么判断？",
            "环评报告表审批能容缺受理吗？",
            "特种设备使用登记网上能办吗？",
            "{}的告知承诺制怎么填？",
        ],
    },
    Topic {
        keywords: &["医疗机构", "执业", "医师", "护士", "诊所", "放射"],
        weight: 2,
        questions: &[
            "开个人诊所需要办医疗机构执业许可证吗，还是备案就行？",
            "医师执业注册变更执业地点怎么办？",
            "护士执业证书到期了怎么延续注册？",
            "{}校验需要准备哪些材料？",
        ],
    },
];

/// Questions about the item itself, whatever it is.
const GENERAL: &[&str] = &[
    "办理{}需要准备哪些材料？有材料清单吗？",
    "{}可以网上办理吗？还是必须本人到现场？",
    "{}一般多少个工作日能办好？",
    "{}收费吗？",
    "{}在哪个政务服务中心办，周末上班吗？",
    "外地户籍在北京能申请{}吗？",
    "{}需要提前预约吗？在京通上怎么预约？",
    "{}提交以后怎么查看办理进度？",
    "委托别人代办{}要写授权委托书吗？",
    "{}材料还差一份，能先容缺受理吗？",
    "{}被退回了，补正材料以后还要重新排队吗？",
    "{}的审批结果能邮寄到家吗？",
    "{}有没有电子证照，能下载打印吗？",
    "申请{}的表格在哪里下载？",
    "{}办下来以后有效期是多久？",
    "在自助终端上能办{}吗？",
    "{}可以跨省通办吗？",
    "{}窗口说要开证明，这个证明在哪里开？",
];

/// Seasonal topics of the last month, with their weights.
const SEASONAL: &[(u32, &[&str])] = &[
    (
        5,
        &[
            "明年的城乡居民医保年度缴费什么时候截止？",
            "城乡居民医保在哪里缴费？能用微信交吗？",
            "医保年度缴费错过了还能补缴吗？",
            "学生和儿童的医保年度缴费标准是多少？",
            "老人的城乡居民医保今年要交多少钱？",
            "灵活就业人员的职工医保和城乡居民医保选哪个？",
            "医保缴费成功了怎么查到缴费记录？",
            "大学生在学校交了医保，家里还用交吗？",
        ],
    ),
    (
        3,
        &[
            "明年的个税专项附加扣除怎么确认，不确认会怎样？",
            "专项附加扣除里赡养老人兄弟姐妹怎么分摊？",
            "孩子上幼儿园能填子女教育专项附加扣除吗？",
            "住房租金和住房贷款利息能同时扣除吗？",
            "三岁以下婴幼儿照护扣除需要上传出生证明吗？",
            "继续教育考了证书能享受专项附加扣除吗？",
            "个税专项附加扣除填错了怎么修改？",
        ],
    ),
    (
        3,
        &[
            "今年供暖从哪天开始，暖气不热找谁？",
            "采暖费补贴谁可以申请，在哪里领？",
            "煤改电的取暖补贴今年还发吗？",
            "退休人员的供暖补贴是单位发还是社区发？",
            "低保家庭有冬季取暖补贴吗？",
            "老房子集中供暖不热，能申请减免采暖费吗？",
        ],
    ),
];

fn pick<'a>(list: &[&'a str], rng: &mut ChaCha8Rng) -> &'a str {
    list.choose(rng).copied().unwrap_or("")
}

fn any_topic(rng: &mut ChaCha8Rng) -> &'static Topic {
    TOPICS
        .choose_weighted(rng, |t| t.weight)
        .unwrap_or(&TOPICS[0])
}

/// A question about the item named `item`. `season` is how far into the
/// last month the question is asked (0 at its start, 1 at the end), `None`
/// before it: seasonal questions grow from a tenth to two fifths of them.
pub(super) fn question(item: &str, season: Option<f64>, rng: &mut ChaCha8Rng) -> String {
    if let Some(progress) = season {
        if rng.gen_bool((0.1 + 0.3 * progress).clamp(0.0, 1.0)) {
            let list = SEASONAL
                .choose_weighted(rng, |(weight, _)| *weight)
                .map_or(SEASONAL[0].1, |(_, list)| *list);
            return pick(list, rng).to_string();
        }
    }
    let own = TOPICS
        .iter()
        .find(|t| t.keywords.iter().any(|k| item.contains(k)));
    let roll: f64 = rng.gen();
    let template = match own {
        Some(topic) if roll < 0.65 => pick(topic.questions, rng),
        Some(_) if roll < 0.85 => pick(GENERAL, rng),
        None if roll < 0.45 => pick(GENERAL, rng),
        _ => pick(any_topic(rng).questions, rng),
    };
    template.replace("{}", item)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_bank_is_large_and_varied() {
        let total: usize = TOPICS.iter().map(|t| t.questions.len()).sum::<usize>()
            + GENERAL.len()
            + SEASONAL.iter().map(|(_, l)| l.len()).sum::<usize>();
        assert!(total >= 150, "{total} questions");
        assert!(GENERAL.iter().all(|q| q.contains("{}")));
        assert!(SEASONAL
            .iter()
            .all(|(_, l)| l.iter().all(|q| !q.contains("{}"))));
    }

    #[test]
    fn questions_follow_the_item_and_are_deterministic() {
        let ask = |seed: u64, item: &str, season: Option<f64>| -> Vec<String> {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..400).map(|_| question(item, season, &mut rng)).collect()
        };
        let a = ask(7, "住房公积金提取", None);
        assert_eq!(a, ask(7, "住房公积金提取", None));
        assert_ne!(a, ask(8, "住房公积金提取", None));
        let about = a.iter().filter(|q| q.contains("公积金")).count();
        assert!(about > 240, "{about} of 400 about 公积金");
        assert!(a.iter().all(|q| !q.contains("{}")));
        // Late in the last month, seasonal topics are frequent.
        let late = ask(7, "住房公积金提取", Some(1.0));
        let seasonal = late
            .iter()
            .filter(|q| SEASONAL.iter().any(|(_, l)| l.contains(&q.as_str())))
            .count();
        assert!(
            (120..=200).contains(&seasonal),
            "{seasonal} of 400 seasonal"
        );
        // An item no topic knows gets general questions about it and others.
        let other = ask(7, "河道采砂许可", None);
        let named = other.iter().filter(|q| q.contains("河道采砂许可")).count();
        assert!((140..=260).contains(&named), "{named} of 400 name the item");
    }

    /// A month of questions about catalogue items, as the hot-word cloud
    /// sees them: the seasonal topics lead, and no one word swamps the rest.
    #[test]
    fn the_last_month_has_a_story() {
        use govpulse_core::dashboard::hotwords::{rank, Ranking, Segmenter};
        use std::collections::HashMap;
        let items: Vec<String> = crate::seed::catalogue::builtin_sample()
            .into_iter()
            .map(|i| i.name)
            .collect();
        let segmenter = Segmenter::new(&[]);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut counts: HashMap<String, u64> = HashMap::new();
        let asked = 2_000;
        for _ in 0..asked {
            let item = &items[rng.gen_range(0..items.len())];
            let season = Some(rng.gen::<f64>());
            for term in segmenter.terms(&question(item, season, &mut rng)) {
                *counts.entry(term).or_default() += 1;
            }
        }
        let counts: Vec<(String, u64)> = counts.into_iter().collect();
        let cloud = rank(&counts, Ranking::TfIdf, &segmenter, 100);
        let top: Vec<&str> = cloud.iter().take(8).map(|h| h.word.as_str()).collect();
        let seasonal = [
            "专项附加扣除",
            "城乡居民医保",
            "医保年度缴费",
            "采暖费",
            "取暖补贴",
        ];
        assert!(
            top.iter().filter(|w| seasonal.contains(w)).count() >= 2,
            "{top:?}"
        );
        assert!(
            cloud.len() == 100 && cloud[0].count < asked / 8,
            "{cloud:?}"
        );
    }
}
