//! The 47 prefectures with their JIS X 0401 codes, which are also the first two digits of a
//! 医療機関コード.

pub const PREFECTURES: [&str; 47] = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
];

/// JIS code (1–47) of a prefecture name; accepts the name with or without 都/道/府/県.
pub fn prefecture_code(name: &str) -> Option<u8> {
    let name = name.trim();
    PREFECTURES
        .iter()
        .position(|p| {
            *p == name || (name != "北海" && p.trim_end_matches(['都', '道', '府', '県']) == name)
        })
        .map(|i| i as u8 + 1)
}

/// The canonical name (e.g. "東京" → "東京都").
pub fn canonical_prefecture(name: &str) -> Option<&'static str> {
    prefecture_code(name).map(|code| PREFECTURES[code as usize - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_jis_order() {
        assert_eq!(prefecture_code("北海道"), Some(1));
        assert_eq!(prefecture_code("東京都"), Some(13));
        assert_eq!(prefecture_code("東京"), Some(13));
        assert_eq!(prefecture_code("沖縄県"), Some(47));
        assert_eq!(prefecture_code("ロンドン"), None);
        assert_eq!(canonical_prefecture("大阪"), Some("大阪府"));
    }
}
