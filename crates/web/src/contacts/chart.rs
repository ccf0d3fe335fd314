//! Lays the contact chart out for SVG: escalation levels top to bottom on the left, external
//! contacts stacked by category on the right. Coordinates only; the template draws.

use mimamori_domain::contacts::{layout, CATEGORIES};
use mimamori_domain::i18n::Lang;
use mimamori_store::ledger::registers::StoredRecord;

const NODE_W: i64 = 210;
const NODE_H: i64 = 70;
const LEVEL_GAP: i64 = 34;
const LEFT: i64 = 10;
const LEFT_WIDTH: i64 = 450;
const RIGHT_X: i64 = 480;
const RIGHT_W: i64 = 290;
const BOX_H: i64 = 52;

pub struct Node {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    pub title: String,
    /// (y, text) of each line under the title.
    pub lines: Vec<(i64, String)>,
    pub missing: bool,
}

pub struct Edge {
    pub x1: i64,
    pub y1: i64,
    pub x2: i64,
    pub y2: i64,
}

pub struct Chart {
    pub width: i64,
    pub height: i64,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub externals: Vec<Node>,
    pub headings: Vec<(i64, String)>,
}

/// Cuts a line to fit a box (SVG text does not wrap); the tables below the chart hold the rest.
fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}

impl Chart {
    pub fn build(escalation: &[StoredRecord], contacts: &[StoredRecord], lang: Lang) -> Chart {
        let records: Vec<_> = escalation.iter().map(|s| s.record.clone()).collect();
        let shape = layout(&records);
        // (x, y, width) of each step's box.
        let mut position = vec![(0i64, 0i64, NODE_W); records.len()];
        let mut nodes = Vec::new();
        for (level, ids) in shape.levels.iter().enumerate() {
            let slot = LEFT_WIDTH / (ids.len() as i64).max(1);
            let w = (slot - 10).min(NODE_W);
            for (n, &i) in ids.iter().enumerate() {
                let x = LEFT + slot * n as i64 + (slot - w) / 2;
                let y = 30 + level as i64 * (NODE_H + LEVEL_GAP);
                position[i] = (x, y, w);
                let r = &records[i];
                let get = |k: &str| r.get(k).unwrap_or("").to_string();
                let chars = (w / 13) as usize;
                let person = match (get("person"), get("phone")) {
                    (p, t) if p.is_empty() && t.is_empty() => lang
                        .pick("（担当者・電話 未記入）", "(person and phone missing)")
                        .to_string(),
                    (p, t) => format!("{p} {t}"),
                };
                let deputy = match (get("deputy"), get("deputy_phone")) {
                    (d, _) if d.is_empty() => String::new(),
                    (d, t) => format!("{}{d} {t}", lang.pick("代理: ", "Deputy: ")),
                };
                nodes.push(Node {
                    x,
                    y,
                    w,
                    h: NODE_H,
                    title: fit(&get("role"), chars),
                    lines: [person, deputy]
                        .into_iter()
                        .filter(|l| !l.is_empty())
                        .enumerate()
                        .map(|(n, l)| (y + 40 + 18 * n as i64, fit(&l, chars + 2)))
                        .collect(),
                    missing: mimamori_domain::contacts::step_incomplete(r),
                });
            }
        }
        let edges = shape
            .edges
            .iter()
            .map(|&(from, to)| {
                let (fx, fy, fw) = position[from];
                let (tx, ty, tw) = position[to];
                Edge {
                    x1: fx + fw / 2,
                    y1: fy + NODE_H,
                    x2: tx + tw / 2,
                    y2: ty - 4,
                }
            })
            .collect();
        let mut externals = Vec::new();
        let mut headings = Vec::new();
        let mut y = 30;
        for (code, ja, en) in CATEGORIES {
            let group: Vec<_> = contacts
                .iter()
                .filter(|c| c.record.get("category") == Some(code))
                .collect();
            if group.is_empty() {
                continue;
            }
            headings.push((y + 12, lang.pick(ja, en).to_string()));
            y += 20;
            for c in group {
                let get = |k: &str| c.record.get(k).unwrap_or("").to_string();
                let reach = [get("phone"), get("email")]
                    .into_iter()
                    .filter(|v| !v.is_empty())
                    .collect::<Vec<_>>()
                    .join(" / ");
                let missing = mimamori_domain::contacts::contact_incomplete(&c.record);
                externals.push(Node {
                    x: RIGHT_X,
                    y,
                    w: RIGHT_W,
                    h: BOX_H - 6,
                    title: fit(&get("organisation"), 21),
                    lines: vec![(
                        y + 36,
                        fit(
                            &if missing {
                                lang.pick("（連絡先 未記入）", "(no number yet)")
                                    .to_string()
                            } else {
                                reach
                            },
                            30,
                        ),
                    )],
                    missing: missing && c.record.flag("required"),
                });
                y += BOX_H;
            }
            y += 6;
        }
        let left_height = 30 + shape.levels.len() as i64 * (NODE_H + LEVEL_GAP);
        Chart {
            width: RIGHT_X + RIGHT_W + 10,
            height: left_height.max(y) + 10,
            nodes,
            edges,
            externals,
            headings,
        }
    }
}
