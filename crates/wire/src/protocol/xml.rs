//! A small XML writer and reader for the XML protocols (query, ec2, restXml).
