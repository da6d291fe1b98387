namespace RoleMining.Emulator.Tenant;

/// <summary>Fixed word lists the synthetic tenant draws from.</summary>
internal static class Catalog
{
    /// <summary>Surnames, sorted and distinct: capitalised, the rest lowercase, so that identity names sort the same
    /// under ordinal and ordinal-ignore-case comparison.</summary>
    public static readonly string[] Surnames = Normalise(
    [
        "Abbott", "Acosta", "Adams", "Aguilar", "Allen", "Alvarez", "Anderson", "Andrews", "Armstrong", "Atkins",
        "Bailey", "Baker", "Banks", "Barnes", "Bell", "Bennett", "Brooks", "Brown", "Bryant", "Burke", "Butler",
        "Campbell", "Carter", "Castillo", "Chen", "Clark", "Cole", "Collins", "Cook", "Cooper", "Cruz",
        "Daniels", "Davis", "Diaz", "Dixon", "Edwards", "Ellis", "Evans", "Fisher", "Flores", "Ford", "Foster",
        "Garcia", "Gibson", "Gomez", "Gonzalez", "Graham", "Grant", "Gray", "Green", "Griffin",
        "Hall", "Hamilton", "Harris", "Hayes", "Henderson", "Hernandez", "Hill", "Holmes", "Howard", "Hughes", "Hunt",
        "Jackson", "James", "Jenkins", "Johnson", "Jones", "Jordan", "Kelly", "Kennedy", "Khan", "Kim", "King",
        "Lee", "Lewis", "Lopez", "Marshall", "Martin", "Martinez", "Mason", "Meyer", "Miller", "Mitchell", "Moore",
        "Morgan", "Morris", "Murphy", "Nelson", "Nguyen", "Ortiz", "Owens", "Palmer", "Parker", "Patel", "Perez",
        "Perry", "Peters", "Phillips", "Powell", "Price", "Ramirez", "Reed", "Reyes", "Richardson", "Rivera",
        "Roberts", "Robinson", "Rogers", "Ross", "Russell", "Sanchez", "Sanders", "Scott", "Shaw", "Simmons", "Smith",
        "Stewart", "Sullivan", "Taylor", "Thomas", "Thompson", "Torres", "Turner", "Walker", "Wallace", "Ward",
        "Watson", "Webb", "White", "Williams", "Wilson", "Wood", "Wright", "Young", "Zhang",
    ]);

    /// <summary>Given names, sorted and distinct, same casing rule as <see cref="Surnames"/>.</summary>
    public static readonly string[] GivenNames = Normalise(
    [
        "Aaron", "Abigail", "Adam", "Adrian", "Aisha", "Alan", "Albert", "Alice", "Amelia", "Amir", "Andrea", "Andrew",
        "Angela", "Anna", "Anthony", "Ava", "Benjamin", "Beth", "Brandon", "Brian", "Caleb", "Carla", "Carlos",
        "Catherine", "Charles", "Chloe", "Christopher", "Claire", "Daniel", "David", "Diana", "Dylan", "Elena", "Eli",
        "Elizabeth", "Emily", "Emma", "Eric", "Ethan", "Eva", "Fatima", "Felix", "Fiona", "Gabriel", "Grace", "Hannah",
        "Harper", "Henry", "Ian", "Isaac", "Isabella", "Jack", "Jacob", "James", "Jasmine", "Jason", "Javier",
        "Jennifer", "Jessica", "John", "Jose", "Joseph", "Julia", "Kevin", "Laura", "Leah", "Liam", "Lily", "Logan",
        "Lucas", "Lucy", "Maria", "Mark", "Mason", "Maya", "Mia", "Michael", "Nathan", "Nina", "Noah", "Olivia", "Omar",
        "Oscar", "Owen", "Paul", "Priya", "Rachel", "Rebecca", "Robert", "Ryan", "Samuel", "Sara", "Sofia", "Sophie",
        "Stephen", "Thomas", "Victoria", "William", "Yusuf", "Zoe",
    ]);

    /// <summary>Departments with the job titles found in them.</summary>
    public static readonly (string Department, string[] JobTitles)[] Departments =
    [
        ("Customer Support", ["Support Agent", "Support Team Lead"]),
        ("Engineering", ["Software Engineer", "Site Reliability Engineer", "QA Engineer", "Engineering Manager"]),
        ("Finance", ["Accountant", "Financial Analyst", "Controller", "Payroll Specialist"]),
        ("Human Resources", ["HR Generalist", "Recruiter", "HR Business Partner"]),
        ("IT", ["Systems Administrator", "Help Desk Technician", "Network Engineer", "SQL Developer"]),
        ("Legal", ["Paralegal", "Corporate Counsel"]),
        ("Marketing", ["Marketing Specialist", "Content Strategist", "Marketing Manager"]),
        ("Operations", ["Operations Analyst", "Logistics Coordinator", "Operations Manager"]),
        ("Sales", ["Account Executive", "Sales Manager", "Sales Engineer"]),
        ("Security", ["Security Analyst", "IAM Engineer"]),
    ];

    public static readonly string[] Locations =
        ["Austin", "Boston", "Chicago", "Dublin", "London", "Miami", "NYC", "Pune", "San Jose", "Singapore", "Sydney", "Toronto"];

    /// <summary>Sources (applications) and the account attribute their entitlements live in.</summary>
    public static readonly (string Application, string Attribute)[] Applications =
    [
        ("Active Directory", "memberOf"), ("Workday", "roles"), ("Salesforce", "profile"), ("ServiceNow", "groups"),
        ("SAP ERP", "roles"), ("GitHub", "teams"), ("AWS IAM", "groups"), ("Okta", "groups"),
    ];

    public static readonly string[] EntitlementKinds = ["Readers", "Writers", "Approvers", "Admins", "Users", "Auditors", "Operators"];

    public static readonly string[] Creators =
        ["Ashley.Pierce", "Jordan.Blake", "Morgan.Reyes", "Taylor.Quinn", "Casey.Nolan", "Riley.Hart"];

    private static string[] Normalise(string[] words) => words.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
}
