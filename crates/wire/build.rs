//! Compacts the vendored AWS service models (documentation stripped) into OUT_DIR and writes the
//! service registry: routing facts known without parsing a model, so start-up parses none.

use std::{env, fs, path::Path};

use serde_json::Value;

const DROPPED_KEYS: &[&str] = &["documentation", "documentationUrl", "examples", "deprecatedMessage"];

fn strip(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for key in DROPPED_KEYS {
                map.remove(*key);
            }
            map.values_mut().for_each(strip);
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

fn text(metadata: &Value, key: &str) -> Option<String> {
    metadata.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn protocol_variant(name: &str, json_version: &str) -> &'static str {
    match (name, json_version) {
        ("json", "1.1") => "Protocol::AwsJson11",
        ("json", _) => "Protocol::AwsJson10",
        ("rest-json", _) => "Protocol::RestJson",
        ("query", _) => "Protocol::Query",
        ("ec2", _) => "Protocol::Ec2",
        ("rest-xml", _) => "Protocol::RestXml",
        ("smithy-rpc-v2-cbor", _) => "Protocol::RpcV2Cbor",
        (other, _) => panic!("unknown protocol {other}"),
    }
}

fn main() {
    let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models");
    println!("cargo:rerun-if-changed={}", models.display());
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("models");
    fs::create_dir_all(&out).unwrap();

    let mut services: Vec<_> = fs::read_dir(&models)
        .unwrap()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().join("service-2.json").exists())
        .map(|entry| entry.file_name().into_string().unwrap())
        .collect();
    services.sort();

    let mut registry = String::from("pub static SERVICES: &[ServiceInfo] = &[\n");
    for id in &services {
        let source = models.join(id).join("service-2.json");
        println!("cargo:rerun-if-changed={}", source.display());
        let mut model: Value = serde_json::from_slice(&fs::read(&source).unwrap()).unwrap();
        strip(&mut model);
        let compact = out.join(format!("{id}.json"));
        fs::write(&compact, serde_json::to_vec(&model).unwrap()).unwrap();

        let metadata = &model["metadata"];
        let endpoint_prefix = text(metadata, "endpointPrefix").unwrap();
        let signing_name = text(metadata, "signingName").unwrap_or_else(|| endpoint_prefix.clone());
        let mut protocols: Vec<String> = metadata
            .get("protocols")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        if protocols.is_empty() {
            protocols.push(text(metadata, "protocol").unwrap());
        }
        let json_version = text(metadata, "jsonVersion").unwrap_or_else(|| "1.0".into());
        let protocols: Vec<&str> = protocols.iter().map(|name| protocol_variant(name, &json_version)).collect();
        registry.push_str(&format!(
            "    ServiceInfo {{ id: {id:?}, signing_name: {signing_name:?}, endpoint_prefix: {endpoint_prefix:?}, \
             target_prefix: {target:?}, api_version: {api:?}, protocols: &[{protocols}], \
             event_source: \"{endpoint_prefix}.amazonaws.com\", query_compatible: {qc}, model_json: include_bytes!({path:?}) }},\n",
            target = text(metadata, "targetPrefix"),
            api = text(metadata, "apiVersion").unwrap(),
            protocols = protocols.join(", "),
            qc = metadata.get("awsQueryCompatible").is_some(),
            path = compact.display().to_string(),
        ));
    }
    registry.push_str("];\n");
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("registry.rs"), registry).unwrap();
}
