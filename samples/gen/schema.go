package gen

// Field is one named EventData value and the type Windows stores it as.
type Field struct {
	Name string
	Type ValueType
}

// Schema is what is fixed for one kind of event: its System values and
// the names and types of its EventData fields, in document order.
type Schema struct {
	Name         string // short name used in tests and scenario files
	Provider     string
	ProviderGUID GUID
	Channel      string
	EventID      uint16
	Version      uint8
	Level        uint8
	Task         uint16
	Opcode       uint8
	Keywords     uint64
	UserSID      string // System/Security/@UserID; "" writes a null value
	Fields       []Field

	data *template
}

// Index returns the position of the field called name, or -1.
func (s *Schema) Index(name string) int {
	for i, f := range s.Fields {
		if f.Name == name {
			return i
		}
	}
	return -1
}

func newSchema(s Schema) *Schema {
	s.data = eventDataTemplate(s.Provider+"\x00"+s.Name, s.Fields)
	return &s
}

func mustGUID(s string) GUID {
	g, err := ParseGUID(s)
	if err != nil {
		panic(err) // unreachable: only the literals below get here, and tests build them all
	}
	return g
}

const (
	sysmonProvider = "Microsoft-Windows-Sysmon"
	sysmonChannel  = "Microsoft-Windows-Sysmon/Operational"
	secProvider    = "Microsoft-Windows-Security-Auditing"
	secChannel     = "Security"
	sysmonKeywords = 0x8000000000000000
	auditSuccess   = 0x8020000000000000
)

func s(name string) Field  { return Field{name, TypeString} }
func g(name string) Field  { return Field{name, TypeGUID} }
func u(name string) Field  { return Field{name, TypeUInt32} }
func hx(name string) Field { return Field{name, TypeHexInt64} }
func sid(name string) Field {
	return Field{name, TypeSID}
}

func sysmon(name string, eid uint16, version uint8, fields ...Field) *Schema {
	return newSchema(Schema{Name: name, Provider: sysmonProvider, ProviderGUID: mustGUID("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"),
		Channel: sysmonChannel, EventID: eid, Version: version, Level: 4, Task: eid, Keywords: sysmonKeywords,
		UserSID: "S-1-5-18", Fields: fields})
}

func security4688(version uint8, fields ...Field) *Schema {
	return newSchema(Schema{Name: "4688v" + string(rune('0'+version)), Provider: secProvider,
		ProviderGUID: mustGUID("{54849625-5478-4994-A5BA-3E3B0328C30D}"), Channel: secChannel, EventID: 4688,
		Version: version, Level: 0, Task: 13312, Keywords: auditSuccess, Fields: fields})
}

// Schemas is the set of event kinds the writer knows. It is built once and
// never changed afterwards; Writer and scenarios only read it.
type Schemas struct {
	ProcessCreate  *Schema // Sysmon 1
	ProcessEnd     *Schema // Sysmon 5
	FileCreate     *Schema // Sysmon 11
	StreamHash     *Schema // Sysmon 15
	Security4688v0 *Schema
	Security4688v1 *Schema
	Security4688v2 *Schema
}

// NewSchemas returns the Sysmon and Security schemas with the field names,
// order and value types of Sysmon 13.30+ and Windows 10 auditing.
func NewSchemas() *Schemas {
	v0 := []Field{sid("SubjectUserSid"), s("SubjectUserName"), s("SubjectDomainName"), hx("SubjectLogonId"),
		hx("NewProcessId"), s("NewProcessName"), s("TokenElevationType"), hx("ProcessId")}
	v1 := append(append([]Field{}, v0...), s("CommandLine"))
	v2 := append(append([]Field{}, v1...), sid("TargetUserSid"), s("TargetUserName"), s("TargetDomainName"),
		hx("TargetLogonId"), s("ParentProcessName"), sid("MandatoryLabel"))
	return &Schemas{
		ProcessCreate: sysmon("sysmon1", 1, 5, s("RuleName"), s("UtcTime"), g("ProcessGuid"), u("ProcessId"), s("Image"),
			s("FileVersion"), s("Description"), s("Product"), s("Company"), s("OriginalFileName"), s("CommandLine"),
			s("CurrentDirectory"), s("User"), g("LogonGuid"), hx("LogonId"), u("TerminalSessionId"), s("IntegrityLevel"),
			s("Hashes"), g("ParentProcessGuid"), u("ParentProcessId"), s("ParentImage"), s("ParentCommandLine"), s("ParentUser")),
		ProcessEnd: sysmon("sysmon5", 5, 3, s("RuleName"), s("UtcTime"), g("ProcessGuid"), u("ProcessId"), s("Image"), s("User")),
		FileCreate: sysmon("sysmon11", 11, 2, s("RuleName"), s("UtcTime"), g("ProcessGuid"), u("ProcessId"), s("Image"),
			s("TargetFilename"), s("CreationUtcTime"), s("User")),
		StreamHash: sysmon("sysmon15", 15, 2, s("RuleName"), s("UtcTime"), g("ProcessGuid"), u("ProcessId"), s("Image"),
			s("TargetFilename"), s("CreationUtcTime"), s("Hash"), s("Contents"), s("User")),
		Security4688v0: security4688(0, v0...),
		Security4688v1: security4688(1, v1...),
		Security4688v2: security4688(2, v2...),
	}
}
