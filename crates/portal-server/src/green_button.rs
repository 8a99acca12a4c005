//! Green Button interval data: the NAESB ESPI Atom feed that utilities' meter-data systems
//! export ("Download My Data"), read into the same hourly readings as the CSV import.
//!
//! What is read: the feed's `ReadingType` (its `uom` must be 72, watt-hours, scaled by
//! `powerOfTenMultiplier`) and every `IntervalBlock`'s `IntervalReading` (`timePeriod` start
//! and duration in Unix seconds, `value`, and `ReadingQuality/quality`: 8, 9 and 12 — estimated
//! from a reference day, by interpolation, projected — are estimated; any other code is
//! actual). An hour the feed does not list is simply not imported. Everything else in the feed
//! (links, `UsagePoint`, `LocalTimeParameters`, summaries) is skipped. Streamed with
//! `quick-xml`: a 32 MB file is never held as a tree.

use crate::store::Reading;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::collections::HashSet;

/// ESPI's unit code for watt-hours.
pub const WATT_HOURS: i64 = 72;

/// The readings of a Green Button feed for `meter`, each with the line its `IntervalReading`
/// starts on; the first problem names its line (`line N: …`).
pub fn parse(xml: &str, meter: &str, now: i64) -> Result<(Vec<usize>, Vec<Reading>), String> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut lines = LineCounter::default();
    let mut path: Vec<String> = Vec::new();
    let mut unit: Option<i64> = None;
    let mut power: i64 = 0;
    let mut current: Option<Interval> = None;
    let mut found: Vec<Interval> = Vec::new();
    loop {
        let event = reader.read_event().map_err(|error| {
            let at = usize::try_from(reader.error_position()).unwrap_or(0);
            format!("line {}: not well-formed XML ({error})", lines.at(xml, at))
        })?;
        // Just past the event: the line its tag or text ends on.
        let position = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            Event::Start(element) => {
                let name = element.local_name().as_ref().to_owned();
                if name == "IntervalReading" {
                    current = Some(Interval {
                        line: lines.at(xml, position),
                        ..Interval::default()
                    });
                }
                path.push(name);
            }
            Event::End(_) => {
                if path.pop().as_deref() == Some("IntervalReading")
                    && let Some(interval) = current.take()
                {
                    found.push(interval);
                }
            }
            Event::Text(text) => {
                let value = text.trim();
                let line = lines.at(xml, position);
                let number = || {
                    value
                        .parse::<i64>()
                        .map_err(|_| format!("line {line}: {value:?} is not a whole number"))
                };
                match (last(&path, 2), last(&path, 1)) {
                    (Some("ReadingType"), Some("uom")) => unit = Some(number()?),
                    (Some("ReadingType"), Some("powerOfTenMultiplier")) => power = number()?,
                    (Some("timePeriod"), Some("start")) => {
                        if let Some(interval) = current.as_mut() {
                            interval.start = Some(number()?);
                        }
                    }
                    (Some("timePeriod"), Some("duration")) => {
                        if let Some(interval) = current.as_mut() {
                            interval.duration = Some(number()?);
                        }
                    }
                    (Some("IntervalReading"), Some("value")) => {
                        if let Some(interval) = current.as_mut() {
                            interval.value = Some(number()?);
                        }
                    }
                    (Some("ReadingQuality"), Some("quality")) => {
                        if let Some(interval) = current.as_mut() {
                            interval.estimated |= matches!(number()?, 8 | 9 | 12);
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => {
                if let Some(open) = path.last() {
                    return Err(format!(
                        "line {}: not well-formed XML (<{open}> is not closed)",
                        lines.at(xml, xml.len())
                    ));
                }
                break;
            }
            _ => {}
        }
    }
    match unit {
        Some(WATT_HOURS) => {}
        Some(other) => {
            return Err(format!(
                "ReadingType: uom {other} is not {WATT_HOURS} (watt-hours), the unit the portal takes"
            ));
        }
        None => {
            return Err(format!(
                "ReadingType: the feed has no uom (the portal takes {WATT_HOURS}, watt-hours)"
            ));
        }
    }
    if !(-3..=9).contains(&power) {
        return Err(format!(
            "ReadingType: powerOfTenMultiplier {power} is outside -3 to 9"
        ));
    }
    let mut seen = HashSet::new();
    let mut numbers = Vec::with_capacity(found.len());
    let mut readings = Vec::with_capacity(found.len());
    for interval in found {
        let line = interval.line;
        let (Some(start), Some(duration), Some(value)) =
            (interval.start, interval.duration, interval.value)
        else {
            return Err(format!(
                "line {line}: an IntervalReading needs its timePeriod start and duration and a value"
            ));
        };
        if duration != 3600 {
            return Err(format!(
                "line {line}: a reading of {duration} s; the portal takes hourly readings (3600 s)"
            ));
        }
        if start % 3600 != 0 {
            return Err(format!("line {line}: start {start} is not on the hour"));
        }
        if start + 3600 > now {
            return Err(format!("line {line}: the hour has not ended yet"));
        }
        let wh = watt_hours(value, power).ok_or_else(|| {
            format!("line {line}: value {value} is negative or finer than a watt-hour")
        })?;
        if !seen.insert(start) {
            return Err(format!("line {line}: that hour again"));
        }
        numbers.push(line);
        readings.push(Reading {
            meter_id: meter.to_owned(),
            start,
            wh: Some(wh),
            quality: if interval.estimated {
                "estimated"
            } else {
                "actual"
            },
        });
    }
    if readings.is_empty() {
        return Err("IntervalBlock: the feed has no IntervalReading".to_owned());
    }
    Ok((numbers, readings))
}

/// One `IntervalReading` as read so far.
#[derive(Debug, Default)]
struct Interval {
    line: usize,
    start: Option<i64>,
    duration: Option<i64>,
    value: Option<i64>,
    estimated: bool,
}

/// `value × 10^power` watt-hours, if it is a whole, non-negative number of them.
fn watt_hours(value: i64, power: i64) -> Option<i64> {
    if value < 0 {
        return None;
    }
    let scale = 10_i64.checked_pow(u32::try_from(power.abs()).ok()?)?;
    if power >= 0 {
        value.checked_mul(scale)
    } else {
        (value % scale == 0).then_some(value / scale)
    }
}

/// The `depth`-th innermost element name (1: the innermost).
fn last(path: &[String], depth: usize) -> Option<&str> {
    path.len()
        .checked_sub(depth)
        .and_then(|index| path.get(index))
        .map(String::as_str)
}

/// Line numbers of byte positions, counted once as the reader moves forward.
#[derive(Default)]
struct LineCounter {
    position: usize,
    line: usize,
}

impl LineCounter {
    /// The line (from 1) of byte `position` of `text`.
    fn at(&mut self, text: &str, position: usize) -> usize {
        let position = position.min(text.len());
        if position < self.position {
            self.position = 0;
            self.line = 0;
        }
        self.line += text.as_bytes()[self.position..position]
            .iter()
            .filter(|byte| **byte == b'\n')
            .count();
        self.position = position;
        self.line + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(uom: &str, readings: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:espi="http://naesb.org/espi">
  <entry><content><espi:ReadingType>
    <espi:uom>{uom}</espi:uom>
    <espi:powerOfTenMultiplier>-3</espi:powerOfTenMultiplier>
    <espi:intervalLength>3600</espi:intervalLength>
  </espi:ReadingType></content></entry>
  <entry><content><espi:IntervalBlock>
    <espi:interval><espi:duration>7200</espi:duration><espi:start>1790812800</espi:start></espi:interval>
{readings}
  </espi:IntervalBlock></content></entry>
</feed>"#
        )
    }

    fn reading(start: i64, duration: i64, value: i64, quality: Option<u8>) -> String {
        let quality = quality
            .map(|q| {
                format!(
                    "<espi:ReadingQuality><espi:quality>{q}</espi:quality></espi:ReadingQuality>"
                )
            })
            .unwrap_or_default();
        format!(
            "    <espi:IntervalReading>{quality}<espi:timePeriod><espi:duration>{duration}</espi:duration><espi:start>{start}</espi:start></espi:timePeriod><espi:value>{value}</espi:value></espi:IntervalReading>"
        )
    }

    const NOW: i64 = 1_800_000_000;
    const HOUR: i64 = 1_790_812_800;

    #[test]
    fn a_feed_of_hours_becomes_readings_in_watt_hours() {
        let xml = feed(
            "72",
            &[
                reading(HOUR, 3600, 512_000, None),
                reading(HOUR + 3600, 3600, 498_000, Some(8)),
            ]
            .join("\n"),
        );
        let (lines, readings) = parse(&xml, "m_1", NOW).unwrap();
        assert_eq!(lines, vec![10, 11]);
        assert_eq!(readings[0].wh, Some(512));
        assert_eq!(readings[0].quality, "actual");
        assert_eq!(
            (readings[1].start, readings[1].quality),
            (HOUR + 3600, "estimated")
        );
    }

    #[test]
    fn each_bad_feed_is_refused_by_its_place() {
        let cases = [
            (
                feed("38", &reading(HOUR, 3600, 1000, None)),
                "uom 38 is not 72",
            ),
            (
                feed("72", &reading(HOUR, 900, 1000, None)),
                "line 10: a reading of 900 s",
            ),
            (
                feed("72", &reading(HOUR + 60, 3600, 1000, None)),
                "line 10: start",
            ),
            (
                feed("72", &reading(NOW, 3600, 1000, None)),
                "line 10: the hour has not ended",
            ),
            (
                feed("72", &reading(HOUR, 3600, -5, None)),
                "line 10: value -5 is negative",
            ),
            (
                feed("72", &reading(HOUR, 3600, 1500, None)),
                "finer than a watt-hour",
            ),
            (
                feed(
                    "72",
                    &[
                        reading(HOUR, 3600, 1000, None),
                        reading(HOUR, 3600, 1000, None),
                    ]
                    .join("\n"),
                ),
                "line 11: that hour again",
            ),
            (feed("72", ""), "no IntervalReading"),
            (
                feed("72", "    <espi:IntervalReading><espi:value>1</espi:value>"),
                "not well-formed XML",
            ),
            (
                feed(
                    "72",
                    &reading(HOUR, 3600, 1000, None).replace("1000", "ten"),
                ),
                "line 10: \"ten\" is not a whole number",
            ),
        ];
        for (xml, expected) in cases {
            let refused = parse(&xml, "m_1", NOW).unwrap_err();
            assert!(refused.contains(expected), "{expected:?} in {refused:?}");
        }
    }
}
