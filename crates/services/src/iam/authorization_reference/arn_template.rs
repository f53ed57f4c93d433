//! ARN templates of the Service Authorization Reference
//! (`arn:${Partition}:guardduty:${Region}:${Account}:detector/${DetectorId}`) and how a request
//! names the resource one describes.

use serde_json::Value;

/// A piece of an ARN template: text as is, or a `${Name}` placeholder.
enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        let Some(length) = rest[start..].find('}') else { break };
        if start > 0 {
            pieces.push(Piece::Text(&rest[..start]));
        }
        pieces.push(Piece::Placeholder(&rest[start + 2..start + length]));
        rest = &rest[start + length + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    pieces
}

/// The ARN of the resource of `template` that a request in `region` and `account` with `input`
/// names, or `None` when the input does not name one.
///
/// A top-level input member that already is such an ARN (`HubArn`, `FilterArn`) names the
/// resource as it is, in whatever account and region it says. Otherwise `${Partition}`,
/// `${Region}` and `${Account}` come from the request and every other `${Name}` from the input
/// member of that name, compared case-insensitively and also as `<Name>Id`, `<Name>Name` or
/// `<Name>Arn` (and with such a suffix of the placeholder dropped: `${BucketName}` from `Bucket`).
pub fn fill(template: &str, region: &str, account: &str, input: &Value) -> Option<String> {
    let members = input.as_object();
    let named = members
        .into_iter()
        .flatten()
        .filter_map(|(_, value)| value.as_str())
        .find(|value| value.starts_with("arn:") && is_instance_of(value, template));
    if let Some(arn) = named {
        return Some(arn.to_owned());
    }
    let mut arn = String::with_capacity(template.len() + 32);
    for piece in pieces(template) {
        match piece {
            Piece::Text(text) => arn.push_str(text),
            Piece::Placeholder("Partition") => arn.push_str("aws"),
            Piece::Placeholder("Region") => arn.push_str(region),
            Piece::Placeholder("Account") => arn.push_str(account),
            Piece::Placeholder(name) => arn.push_str(member_naming(input, name)?),
        }
    }
    Some(arn)
}

/// The value of the input member that fills placeholder `name`: a non-empty string that is not
/// itself an ARN (an ARN in a member names a whole resource, not a part of one).
fn member_naming<'a>(input: &'a Value, name: &str) -> Option<&'a str> {
    let stem = ["Id", "Name", "Arn"].iter().find_map(|suffix| name.strip_suffix(suffix)).filter(|stem| !stem.is_empty());
    let accepted = |member: &str| {
        [Some(name), stem].into_iter().flatten().any(|base| {
            member.len() >= base.len()
                && member[..base.len()].eq_ignore_ascii_case(base)
                && matches!(member[base.len()..].to_ascii_lowercase().as_str(), "" | "id" | "name" | "arn")
        })
    };
    input
        .as_object()?
        .iter()
        .filter(|(member, _)| member.is_ascii() && accepted(member))
        .filter_map(|(_, value)| value.as_str())
        .find(|value| !value.is_empty() && !value.starts_with("arn:"))
}

/// Whether `arn` names a resource of `template`: each placeholder stands for one or more
/// characters within an ARN segment, except the last one of the template, which takes the rest
/// (resource names with `/` or `:` in them).
pub fn is_instance_of(arn: &str, template: &str) -> bool {
    matches_pieces(arn, &pieces(template))
}

fn matches_pieces(arn: &str, pieces: &[Piece<'_>]) -> bool {
    match pieces.split_first() {
        None => arn.is_empty(),
        Some((Piece::Text(text), rest)) => arn.strip_prefix(text).is_some_and(|arn| matches_pieces(arn, rest)),
        Some((Piece::Placeholder(_), [])) => !arn.is_empty(),
        Some((Piece::Placeholder(_), rest)) => {
            let segment = &arn[..arn.find(':').unwrap_or(arn.len())];
            segment
                .char_indices()
                .map(|(start, c)| start + c.len_utf8())
                .any(|length| matches_pieces(&arn[length..], rest))
        }
    }
}
