package gen

// Tables the generator draws from. Names include a few non-ASCII and
// punctuated spellings on purpose: real directories have them, and
// decoders and identity keys must cope.

var firstNames = []string{
	"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda",
	"William", "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
	"Thomas", "Sarah", "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa",
	"Anthony", "Betty", "Mark", "Margaret", "Donald", "Sandra", "Steven", "Ashley",
	"Paul", "Kimberly", "Andrew", "Emily", "Joshua", "Donna", "Kenneth", "Michelle",
	"Kevin", "Carol", "Brian", "Amanda", "George", "Melissa", "Timothy", "Deborah",
	"Ronald", "Stephanie", "Jason", "Rebecca", "Ryan", "Laura", "Jacob", "Sharon",
	"Gary", "Cynthia", "Nicholas", "Kathleen", "Eric", "Amy", "Jonathan", "Angela",
	"Liam", "Emma", "Noah", "Olivia", "Lucas", "Mia", "Ethan", "Chloe",
	"Oscar", "Priya", "Hana", "Mei", "Wei", "Yuki", "Aarav", "Ananya",
	"Mohammed", "Fatima", "Omar", "Leila", "Kwame", "Amara", "Sven", "Ingrid",
	"José", "Zoë", "Søren", "Chloé", "Renée", "Björn", "Nuño", "Zoltán",
	"Anne-Marie", "Jean-Luc", "Siobhan", "Niamh", "Dmitri", "Olga", "Marco", "Giulia",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
	"Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas",
	"Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
	"Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
	"Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
	"Carter", "Roberts", "Patel", "Shah", "Kumar", "Singh", "Chen", "Wang",
	"Li", "Zhang", "Liu", "Tanaka", "Sato", "Suzuki", "Kim", "Park",
	"Choi", "Novak", "Horvat", "Kowalski", "Nowak", "Ivanov", "Petrov", "Rossi",
	"Russo", "Ferrari", "Esposito", "Bianchi", "Dubois", "Moreau", "Laurent", "Lefebvre",
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
	"Jensen", "Nielsen", "Hansen", "Larsen", "Andersson", "Johansson", "Karlsson", "Nilsson",
	"O'Brien", "O'Neil", "McCarthy", "Murphy", "Kelly", "Byrne", "Walsh", "Ryan",
	"García", "Fernández", "González", "Núñez", "Ødegaard", "Åberg", "Çelik", "Yılmaz",
	"van der Berg", "de Vries", "Okafor", "Mensah", "Adeyemi", "Haddad", "Khalil", "Nasser",
}

// domain is an email domain and the company that owns it. Weights are
// cumulative percentages so a uniform draw picks one.
type domain struct {
	name, company, customer, plan string
	cum                           int
}

var domains = []domain{
	{"acme.example", "Acme Corp", "acme", "enterprise", 50},
	{"globex.example", "Globex", "globex", "enterprise", 70},
	{"initech.example", "Initech", "initech", "business", 85},
	{"umbrella.example", "Umbrella", "umbrella", "business", 95},
	{"hooli.example", "Hooli", "hooli", "free", 100},
}

// style is how a kind of system records people and work.
type style uint8

const (
	styleTracker style = iota // Jira, Azure DevOps: accounts with email and username
	styleService              // ServiceNow, Zendesk, Salesforce: email and display name
	styleCode                 // GitHub, GitLab: handles, numeric ids
	styleGeneric
)

type action struct {
	name, category, interaction string
}

type systemKind struct {
	name  string
	slug  string
	style style
	// idStyle decides how entity ids look (see appendEntityID).
	idStyle idStyle
	types   []string
	actions []action // most frequent first
}

type idStyle uint8

const (
	idKey     idStyle = iota // PAY-123
	idNumber                 // 48213
	idTicket                 // INC0012345
	idRepoNum                // acme/web#12
)

var productWords = []string{
	"Payments", "Web Portal", "Mobile App", "Billing", "Identity", "Search",
	"Checkout", "Analytics", "Platform", "Data Lake", "Onboarding", "Reporting",
	"Notifications", "Inventory", "Logistics", "Pricing", "Support Tools", "Security",
	"Infrastructure", "Marketing Site", "Partner API", "Customer Portal", "HR Systems", "Finance",
}

var jiraKeys = []string{
	"PAY", "WEB", "MOB", "BILL", "IAM", "SRCH", "CHK", "ANL", "PLAT", "DATA", "ONB", "REP",
	"NOTE", "INV", "LOG", "PRC", "SUP", "SEC", "INFRA", "MKT", "API", "CUST", "HR", "FIN",
}

var serviceQueues = []string{
	"IT Service Desk", "Change Management", "HR Service Delivery", "Facilities",
	"Security Incident Response", "Customer Service", "Field Service", "Procurement",
}

var systemKinds = []systemKind{
	{
		name: "Jira Cloud", slug: "jira", style: styleTracker, idStyle: idKey,
		types: []string{"Bug", "Story", "Task", "Epic", "Sub-task"},
		actions: []action{
			{"issue_update", "work_items", "update"}, {"comment", "collaboration", "comment"},
			{"transition", "work_items", "update"}, {"view", "navigation", "view"},
			{"create", "work_items", "creator"}, {"login", "auth", "login"},
			{"attachment_upload", "collaboration", "attachment"},
		},
	},
	{
		name: "Azure DevOps", slug: "ado", style: styleTracker, idStyle: idNumber,
		// Parallel to Jira Cloud's types: a Jira Sub-task syncs as a Task.
		types: []string{"Bug", "User Story", "Task", "Epic", "Task", "Feature"},
		actions: []action{
			{"work_item_update", "work_items", "update"}, {"commit", "code", "creator"},
			{"pull_request", "code", "creator"}, {"comment", "collaboration", "comment"},
			{"build", "pipelines", "update"}, {"login", "auth", "login"},
		},
	},
	{
		name: "ServiceNow", slug: "snow", style: styleService, idStyle: idTicket,
		types: []string{"Incident", "Change Request", "Problem", "Task"},
		actions: []action{
			{"incident_update", "service_desk", "update"}, {"comment", "collaboration", "comment"},
			{"approve", "service_desk", "update"}, {"create", "service_desk", "creator"},
			{"knowledge_view", "navigation", "view"}, {"login", "auth", "login"},
		},
	},
	{
		name: "GitHub", slug: "github", style: styleCode, idStyle: idRepoNum,
		types: []string{"Issue", "Pull Request"},
		actions: []action{
			{"push", "code", "creator"}, {"pull_request", "code", "creator"},
			{"issue_comment", "collaboration", "comment"}, {"review", "code", "comment"},
			{"scan_upload", "security", "attachment"}, {"login", "auth", "login"},
		},
	},
	{
		name: "Salesforce", slug: "sfdc", style: styleService, idStyle: idNumber,
		types: []string{"Case", "Opportunity", "Account"},
		actions: []action{
			{"case_update", "crm", "update"}, {"opportunity_update", "crm", "update"},
			{"report_view", "navigation", "view"}, {"login", "auth", "login"},
		},
	},
	{
		name: "Zendesk", slug: "zendesk", style: styleService, idStyle: idNumber,
		types: []string{"Ticket", "Problem"},
		actions: []action{
			{"ticket_update", "support", "update"}, {"comment", "collaboration", "comment"},
			{"macro_apply", "support", "update"}, {"login", "auth", "login"},
		},
	},
	{
		name: "GitLab", slug: "gitlab", style: styleCode, idStyle: idRepoNum,
		types: []string{"Issue", "Merge Request"},
		actions: []action{
			{"push", "code", "creator"}, {"merge_request", "code", "creator"},
			{"note", "collaboration", "comment"}, {"pipeline", "pipelines", "update"},
		},
	},
	{
		name: "Jira Data Center", slug: "jiradc", style: styleTracker, idStyle: idKey,
		types: []string{"Bug", "Story", "Task"},
		actions: []action{
			{"issue_update", "work_items", "update"}, {"comment", "collaboration", "comment"},
			{"login", "auth", "login"},
		},
	},
}

var genericKind = systemKind{
	style: styleGeneric, idStyle: idNumber,
	types: []string{"Item", "Record"},
	actions: []action{
		{"update", "general", "update"}, {"comment", "collaboration", "comment"}, {"login", "auth", "login"},
	},
}

var elementInteractions = []string{"mapped_field", "mention", "comment", "attachment", "update"}

var (
	propOS       = []string{"Windows 11", "macOS 15", "Ubuntu 24.04", "iOS 19", "Android 16", "Windows 10"}
	propVersion  = []string{"4.2.1", "4.2.0", "4.1.7", "3.9.12", "5.0.0-beta.2"}
	propCountry  = []string{"US", "DE", "FR", "GB", "IN", "JP", "BR", "CA", "NL", "SE"}
	propLicense  = []string{"enterprise", "professional", "trial", "academic"}
	syncActions  = []string{"sync", "sync", "sync", "sync", "sync", "sync", "sync", "update", "update", "create"}
	failSpelling = []string{"failure", "failure", "failure", "failed", "failed", "error"}
)
