//! Reads the declarations the importer needs out of Go source with the tree-sitter Go grammar:
//! struct types with their fields and tags, named types over other types, `TableName()`
//! methods and string constants. Everything else in the file is ignored.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tree_sitter::{Node, Parser};

/// A place in a Go file, for warnings (1-based).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// A Go type as written, reduced to what decides a column or a relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoType {
    /// `int64`, `Company` (a local type).
    Named(String),
    /// `time.Time`, `gorm.Model`.
    Qualified {
        package: String,
        name: String,
    },
    Pointer(Box<GoType>),
    Slice(Box<GoType>),
    /// `[16]byte`, `map[string]any`, `func()`, an inline struct: kept as their text.
    Other(String),
}

impl GoType {
    /// The type without pointers.
    pub fn pointee(&self) -> &GoType {
        match self {
            GoType::Pointer(inner) => inner.pointee(),
            other => other,
        }
    }
}

impl std::fmt::Display for GoType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GoType::Named(name) => f.write_str(name),
            GoType::Qualified { package, name } => write!(f, "{package}.{name}"),
            GoType::Pointer(inner) => write!(f, "*{inner}"),
            GoType::Slice(inner) => write!(f, "[]{inner}"),
            GoType::Other(text) => f.write_str(text),
        }
    }
}

/// One field of a struct. An embedded field has no name (`name` is then the type's name).
#[derive(Debug, Clone)]
pub struct GoField {
    pub name: String,
    pub embedded: bool,
    pub ty: GoType,
    /// The whole tag (`json:"x" gorm:"column:y"`), unquoted.
    pub tag: String,
    pub place: Place,
}

#[derive(Debug, Clone)]
pub struct GoStruct {
    pub name: String,
    pub fields: Vec<GoField>,
    pub place: Place,
}

/// What a `TableName()` method returns: a literal or constant when it could be resolved.
#[derive(Debug, Clone)]
pub struct TableNameMethod {
    pub value: Option<String>,
    pub place: Place,
}

/// The declarations of a set of Go files.
#[derive(Debug, Default)]
pub struct GoPackage {
    /// Structs in the order they were read (files sorted by path).
    pub structs: Vec<GoStruct>,
    /// Named non-struct types: `type Status string`.
    pub named_types: BTreeMap<String, GoType>,
    pub table_names: BTreeMap<String, TableNameMethod>,
    /// Files that did not parse cleanly, with the first error's place.
    pub syntax_errors: Vec<Place>,
}

/// Parses one file's text into `package`.
pub fn read_file(package: &mut GoPackage, file: &Path, text: &str) {
    let mut parser = Parser::new();
    if parser
        .set_language(&tree_sitter_go::LANGUAGE.into())
        .is_err()
    {
        return;
    }
    let Some(tree) = parser.parse(text, None) else {
        return;
    };
    let root = tree.root_node();
    let reader = Reader { file, text };
    if root.has_error() {
        package.syntax_errors.push(reader.place(first_error(root)));
    }
    let mut constants = BTreeMap::new();
    let mut methods = Vec::new();
    let mut cursor = root.walk();
    for node in root.named_children(&mut cursor) {
        match node.kind() {
            "type_declaration" => reader.type_declaration(node, package),
            "const_declaration" => reader.constants(node, &mut constants),
            "method_declaration" => methods.push(node),
            _ => {}
        }
    }
    for method in methods {
        reader.table_name_method(method, &constants, package);
    }
}

fn first_error(node: Node<'_>) -> Node<'_> {
    if node.is_error() || node.is_missing() {
        return node;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if child.has_error() {
            return first_error(child);
        }
    }
    node
}

struct Reader<'a> {
    file: &'a Path,
    text: &'a str,
}

impl Reader<'_> {
    fn place(&self, node: Node<'_>) -> Place {
        let position = node.start_position();
        Place {
            file: self.file.to_path_buf(),
            line: position.row + 1,
            column: position.column + 1,
        }
    }

    fn text(&self, node: Node<'_>) -> &str {
        node.utf8_text(self.text.as_bytes()).unwrap_or("")
    }

    fn type_declaration(&self, node: Node<'_>, package: &mut GoPackage) {
        let mut cursor = node.walk();
        for spec in node.named_children(&mut cursor) {
            if !matches!(spec.kind(), "type_spec" | "type_alias") {
                continue;
            }
            let (Some(name), Some(ty)) = (
                spec.child_by_field_name("name"),
                spec.child_by_field_name("type"),
            ) else {
                continue;
            };
            let name = self.text(name).to_string();
            if ty.kind() == "struct_type" {
                package.structs.push(GoStruct {
                    fields: self.fields(ty),
                    name,
                    place: self.place(spec),
                });
            } else {
                package.named_types.insert(name, self.go_type(ty));
            }
        }
    }

    fn fields(&self, struct_type: Node<'_>) -> Vec<GoField> {
        let mut fields = Vec::new();
        let mut cursor = struct_type.walk();
        let Some(list) = struct_type
            .named_children(&mut cursor)
            .find(|n| n.kind() == "field_declaration_list")
        else {
            return fields;
        };
        let mut cursor = list.walk();
        for declaration in list.named_children(&mut cursor) {
            if declaration.kind() != "field_declaration" {
                continue;
            }
            let Some(ty_node) = declaration.child_by_field_name("type") else {
                continue;
            };
            let tag = declaration
                .child_by_field_name("tag")
                .map(|t| unquote(self.text(t)))
                .unwrap_or_default();
            let mut ty = self.go_type(ty_node);
            let mut names_cursor = declaration.walk();
            let names: Vec<Node<'_>> = declaration
                .children_by_field_name("name", &mut names_cursor)
                .collect();
            if names.is_empty() {
                // An embedded field: `*T` is written as a star before the type.
                let starred = declaration
                    .child(0)
                    .is_some_and(|first| first.kind() == "*");
                if starred {
                    ty = GoType::Pointer(Box::new(ty));
                }
                let name = match ty.pointee() {
                    GoType::Named(name) | GoType::Qualified { name, .. } => name.clone(),
                    other => other.to_string(),
                };
                fields.push(GoField {
                    name,
                    embedded: true,
                    ty,
                    tag,
                    place: self.place(declaration),
                });
            } else {
                for name in names {
                    fields.push(GoField {
                        name: self.text(name).to_string(),
                        embedded: false,
                        ty: ty.clone(),
                        tag: tag.clone(),
                        place: self.place(name),
                    });
                }
            }
        }
        fields
    }

    fn go_type(&self, node: Node<'_>) -> GoType {
        match node.kind() {
            "type_identifier" => GoType::Named(self.text(node).to_string()),
            "qualified_type" => {
                let part = |field| {
                    node.child_by_field_name(field)
                        .map(|n| self.text(n).to_string())
                        .unwrap_or_default()
                };
                GoType::Qualified {
                    package: part("package"),
                    name: part("name"),
                }
            }
            "pointer_type" => match node.named_child(0) {
                Some(inner) => GoType::Pointer(Box::new(self.go_type(inner))),
                None => GoType::Other(self.text(node).to_string()),
            },
            "slice_type" => match node.child_by_field_name("element") {
                Some(inner) => GoType::Slice(Box::new(self.go_type(inner))),
                None => GoType::Other(self.text(node).to_string()),
            },
            "parenthesized_type" => match node.named_child(0) {
                Some(inner) => self.go_type(inner),
                None => GoType::Other(self.text(node).to_string()),
            },
            _ => GoType::Other(self.text(node).to_string()),
        }
    }

    fn constants(&self, node: Node<'_>, constants: &mut BTreeMap<String, String>) {
        let mut cursor = node.walk();
        for spec in node.named_children(&mut cursor) {
            if spec.kind() != "const_spec" {
                continue;
            }
            let mut names_cursor = spec.walk();
            let names: Vec<String> = spec
                .children_by_field_name("name", &mut names_cursor)
                .map(|n| self.text(n).to_string())
                .collect();
            let Some(values) = spec.child_by_field_name("value") else {
                continue;
            };
            let mut values_cursor = values.walk();
            for (name, value) in names
                .into_iter()
                .zip(values.named_children(&mut values_cursor))
            {
                if let Some(text) = self.string_literal(value) {
                    constants.insert(name, text);
                }
            }
        }
    }

    fn string_literal(&self, node: Node<'_>) -> Option<String> {
        matches!(
            node.kind(),
            "interpreted_string_literal" | "raw_string_literal"
        )
        .then(|| unquote(self.text(node)))
    }

    /// `func (T) TableName() string { return "…" }`, on a value or pointer receiver.
    fn table_name_method(
        &self,
        node: Node<'_>,
        constants: &BTreeMap<String, String>,
        package: &mut GoPackage,
    ) {
        let is_table_name = node
            .child_by_field_name("name")
            .is_some_and(|n| self.text(n) == "TableName");
        let Some(receiver) = node.child_by_field_name("receiver") else {
            return;
        };
        if !is_table_name {
            return;
        }
        let Some(receiver_type) = find_kind(receiver, "type_identifier") else {
            return;
        };
        let owner = self.text(receiver_type).to_string();
        let returned = node
            .child_by_field_name("body")
            .and_then(|body| find_kind(body, "return_statement"))
            .and_then(|ret| ret.named_child(0))
            .and_then(|list| {
                if list.kind() == "expression_list" {
                    list.named_child(0)
                } else {
                    Some(list)
                }
            });
        let value = returned.and_then(|expr| match expr.kind() {
            "identifier" => constants.get(self.text(expr)).cloned(),
            _ => self.string_literal(expr),
        });
        let place = self.place(returned.unwrap_or(node));
        package
            .table_names
            .insert(owner, TableNameMethod { value, place });
    }
}

/// The first node of `kind` under `node`, depth first.
fn find_kind<'t>(node: Node<'t>, kind: &str) -> Option<Node<'t>> {
    if node.kind() == kind {
        return Some(node);
    }
    let mut cursor = node.walk();
    let children: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
    children
        .into_iter()
        .find_map(|child| find_kind(child, kind))
}

/// The value of a Go string literal: a raw one as is, an interpreted one with its common
/// escapes resolved.
pub fn unquote(literal: &str) -> String {
    if let Some(raw) = literal
        .strip_prefix('`')
        .and_then(|rest| rest.strip_suffix('`'))
    {
        return raw.to_string();
    }
    let inner = literal
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(literal);
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The value of `key` in a struct tag (`json:"x" gorm:"y"`), as Go's `StructTag.Lookup` reads it.
pub fn tag_value(tag: &str, key: &str) -> Option<String> {
    let mut rest = tag;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return None;
        }
        let colon = rest.find(':')?;
        let name = &rest[..colon];
        let after = rest[colon + 1..].strip_prefix('"')?;
        let mut end = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(i);
                    break;
                }
                _ => escaped = false,
            }
        }
        let end = end?;
        if name == key {
            return Some(unquote(&format!("\"{}\"", &after[..end])));
        }
        rest = &after[end + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_structs_fields_tags_and_table_names() {
        let source = r#"package models

import "gorm.io/gorm"

const ordersTable = "shop_orders"

type Status string

type Order struct {
	gorm.Model
	*Audit
	Code, Ref string `gorm:"size:20" json:"code"`
	Items     []*Item
	Status    Status
}

func (Order) TableName() string { return ordersTable }
func (o *Item) TableName() string {
	return "items"
}
"#;
        let mut package = GoPackage::default();
        read_file(&mut package, Path::new("m.go"), source);
        assert!(package.syntax_errors.is_empty());
        let order = &package.structs[0];
        let names: Vec<&str> = order.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["Model", "Audit", "Code", "Ref", "Items", "Status"]);
        assert!(order.fields[0].embedded && order.fields[1].embedded);
        assert_eq!(order.fields[1].ty.to_string(), "*Audit");
        assert_eq!(order.fields[3].tag, r#"gorm:"size:20" json:"code""#);
        assert_eq!(order.fields[3].place.line, 12);
        assert_eq!(order.fields[4].ty.to_string(), "[]*Item");
        assert_eq!(
            package.named_types["Status"],
            GoType::Named("string".into())
        );
        assert_eq!(
            package.table_names["Order"].value.as_deref(),
            Some("shop_orders")
        );
        assert_eq!(package.table_names["Item"].value.as_deref(), Some("items"));
    }

    #[test]
    fn tag_values_are_looked_up_like_go_does() {
        let tag = r#"json:"id,omitempty" gorm:"column:id;default:'a b'""#;
        assert_eq!(
            tag_value(tag, "gorm").as_deref(),
            Some("column:id;default:'a b'")
        );
        assert_eq!(tag_value(tag, "json").as_deref(), Some("id,omitempty"));
        assert_eq!(tag_value(tag, "db"), None);
    }

    #[test]
    fn a_syntax_error_is_reported_with_its_line() {
        let mut package = GoPackage::default();
        read_file(
            &mut package,
            Path::new("bad.go"),
            "package m\n\ntype A struct {\n\tX int `gorm:\"a\"\n}\n",
        );
        assert_eq!(package.syntax_errors.len(), 1);
        assert!(package.syntax_errors[0].line >= 3);
    }
}
