/**
 * The fixed vocabulary the demo lead database is drawn from. Companies and people are
 * fictional; countries, states and cities are real so location filters read naturally.
 */

/** Seniority levels, lowest first. Stored exactly like this (lower_snake). */
export const SENIORITIES = [
  'entry',
  'junior',
  'mid',
  'senior',
  'lead',
  'manager',
  'director',
  'vp',
  'c_level',
] as const;
export type Seniority = (typeof SENIORITIES)[number];

export const DEPARTMENTS = [
  'Engineering',
  'Sales',
  'Marketing',
  'Finance',
  'HR',
  'Operations',
  'Product',
  'Design',
  'Customer Success',
  'Legal',
  'Data',
] as const;
export type Department = (typeof DEPARTMENTS)[number];

export interface JobTitle {
  title: string;
  department: Department;
  seniorities: readonly Seniority[];
  /** Relative frequency in the generated population. */
  weight: number;
}

/**
 * "Software Engineer" and "Developer" are deliberately common (together about 15% of people)
 * so the spec's example bulk search returns well over a thousand leads.
 */
export const JOB_TITLES: readonly JobTitle[] = [
  { title: 'Software Engineer', department: 'Engineering', seniorities: ['junior', 'mid', 'senior'], weight: 90 },
  { title: 'Developer', department: 'Engineering', seniorities: ['entry', 'junior', 'mid', 'senior'], weight: 60 },
  { title: 'Senior Software Engineer', department: 'Engineering', seniorities: ['senior'], weight: 30 },
  { title: 'Staff Engineer', department: 'Engineering', seniorities: ['lead'], weight: 8 },
  { title: 'Engineering Manager', department: 'Engineering', seniorities: ['manager'], weight: 10 },
  { title: 'DevOps Engineer', department: 'Engineering', seniorities: ['mid', 'senior'], weight: 14 },
  { title: 'QA Engineer', department: 'Engineering', seniorities: ['junior', 'mid'], weight: 10 },
  { title: 'VP of Engineering', department: 'Engineering', seniorities: ['vp'], weight: 2 },
  { title: 'Chief Technology Officer', department: 'Engineering', seniorities: ['c_level'], weight: 1 },
  { title: 'Account Executive', department: 'Sales', seniorities: ['mid', 'senior'], weight: 30 },
  { title: 'Sales Development Representative', department: 'Sales', seniorities: ['entry', 'junior'], weight: 25 },
  { title: 'Sales Manager', department: 'Sales', seniorities: ['manager'], weight: 10 },
  { title: 'VP of Sales', department: 'Sales', seniorities: ['vp'], weight: 2 },
  { title: 'Marketing Manager', department: 'Marketing', seniorities: ['manager'], weight: 12 },
  { title: 'Content Marketing Specialist', department: 'Marketing', seniorities: ['junior', 'mid'], weight: 12 },
  { title: 'Growth Marketer', department: 'Marketing', seniorities: ['mid', 'senior'], weight: 8 },
  { title: 'Chief Marketing Officer', department: 'Marketing', seniorities: ['c_level'], weight: 1 },
  { title: 'Financial Analyst', department: 'Finance', seniorities: ['junior', 'mid', 'senior'], weight: 14 },
  { title: 'Accountant', department: 'Finance', seniorities: ['entry', 'junior', 'mid'], weight: 12 },
  { title: 'Finance Director', department: 'Finance', seniorities: ['director'], weight: 3 },
  { title: 'Chief Financial Officer', department: 'Finance', seniorities: ['c_level'], weight: 1 },
  { title: 'HR Business Partner', department: 'HR', seniorities: ['mid', 'senior'], weight: 8 },
  { title: 'Recruiter', department: 'HR', seniorities: ['junior', 'mid', 'senior'], weight: 14 },
  { title: 'Head of People', department: 'HR', seniorities: ['director'], weight: 2 },
  { title: 'Operations Manager', department: 'Operations', seniorities: ['manager'], weight: 10 },
  { title: 'Operations Analyst', department: 'Operations', seniorities: ['junior', 'mid'], weight: 10 },
  { title: 'Chief Operating Officer', department: 'Operations', seniorities: ['c_level'], weight: 1 },
  { title: 'Product Manager', department: 'Product', seniorities: ['mid', 'senior'], weight: 18 },
  { title: 'Senior Product Manager', department: 'Product', seniorities: ['senior', 'lead'], weight: 8 },
  { title: 'Director of Product', department: 'Product', seniorities: ['director'], weight: 3 },
  { title: 'Product Designer', department: 'Design', seniorities: ['junior', 'mid', 'senior'], weight: 14 },
  { title: 'UX Researcher', department: 'Design', seniorities: ['mid', 'senior'], weight: 6 },
  { title: 'Design Lead', department: 'Design', seniorities: ['lead'], weight: 3 },
  { title: 'Customer Success Manager', department: 'Customer Success', seniorities: ['mid', 'senior'], weight: 16 },
  { title: 'Support Engineer', department: 'Customer Success', seniorities: ['entry', 'junior', 'mid'], weight: 12 },
  { title: 'Head of Customer Success', department: 'Customer Success', seniorities: ['director'], weight: 2 },
  { title: 'Legal Counsel', department: 'Legal', seniorities: ['mid', 'senior'], weight: 5 },
  { title: 'General Counsel', department: 'Legal', seniorities: ['vp'], weight: 1 },
  { title: 'Data Scientist', department: 'Data', seniorities: ['mid', 'senior'], weight: 16 },
  { title: 'Data Engineer', department: 'Data', seniorities: ['mid', 'senior'], weight: 14 },
  { title: 'Data Analyst', department: 'Data', seniorities: ['entry', 'junior', 'mid'], weight: 14 },
  { title: 'Head of Data', department: 'Data', seniorities: ['director'], weight: 2 },
];

/** Lower-cased, as stored: the search's skills filter is an array overlap on this. */
export const SKILLS_BY_DEPARTMENT: Record<Department, readonly string[]> = {
  Engineering: [
    'typescript',
    'javascript',
    'node.js',
    'react',
    'java',
    'python',
    'go',
    'kubernetes',
    'aws',
    'postgresql',
    'docker',
    'c#',
    'c++',
    'rust',
    'graphql',
    'ci/cd',
  ],
  Sales: ['salesforce', 'negotiation', 'prospecting', 'cold calling', 'account management', 'hubspot', 'saas sales'],
  Marketing: [
    'seo',
    'content strategy',
    'google analytics',
    'copywriting',
    'hubspot',
    'paid social',
    'email marketing',
  ],
  Finance: ['financial modeling', 'excel', 'forecasting', 'gaap', 'budgeting', 'netsuite', 'fp&a'],
  HR: ['recruiting', 'talent acquisition', 'onboarding', 'employee relations', 'workday', 'compensation'],
  Operations: ['process improvement', 'supply chain', 'project management', 'lean', 'vendor management', 'excel'],
  Product: ['product strategy', 'roadmapping', 'user research', 'agile', 'jira', 'a/b testing', 'sql'],
  Design: ['figma', 'ux design', 'prototyping', 'design systems', 'user research', 'illustration'],
  'Customer Success': ['customer onboarding', 'zendesk', 'account management', 'churn reduction', 'gainsight'],
  Legal: ['contract law', 'gdpr', 'compliance', 'intellectual property', 'corporate law'],
  Data: ['python', 'sql', 'machine learning', 'spark', 'dbt', 'tableau', 'statistics', 'airflow', 'pandas'],
};

export interface Company {
  name: string;
  domain: string;
  industry: string;
  employeeSize: number;
}

const company = (name: string, domain: string, industry: string, employeeSize: number): Company => ({
  name,
  domain,
  industry,
  employeeSize,
});

export const COMPANIES: readonly Company[] = [
  company('Northwind Labs', 'northwindlabs.io', 'Software', 240),
  company('Bluepeak Software', 'bluepeak.dev', 'Software', 85),
  company('Cobalt Systems', 'cobaltsystems.com', 'Software', 1200),
  company('Lumen Analytics', 'lumenanalytics.ai', 'Software', 60),
  company('Quarry Cloud', 'quarrycloud.com', 'Software', 3400),
  company('Stackwise', 'stackwise.io', 'Software', 35),
  company('Orbital Code', 'orbitalcode.com', 'Software', 510),
  company('Helix Data', 'helixdata.com', 'Software', 190),
  company('Tidewater Tech', 'tidewatertech.com', 'Software', 780),
  company('Pinecrest Digital', 'pinecrestdigital.com', 'Software', 22),
  company('Ardent Payments', 'ardentpay.com', 'Financial Services', 650),
  company('Ledgerline', 'ledgerline.com', 'Financial Services', 140),
  company('Copperfield Capital', 'copperfieldcap.com', 'Financial Services', 2300),
  company('Mintbridge Bank', 'mintbridge.com', 'Banking', 12000),
  company('Keystone Insurance', 'keystoneins.com', 'Insurance', 5400),
  company('Harbor Mutual', 'harbormutual.com', 'Insurance', 980),
  company('Vantage Health', 'vantagehealth.com', 'Healthcare', 4200),
  company('Caremark Clinics', 'caremarkclinics.com', 'Healthcare', 860),
  company('Genova Bio', 'genovabio.com', 'Biotechnology', 310),
  company('Altus Therapeutics', 'altustx.com', 'Biotechnology', 95),
  company('Meridian Medical Devices', 'meridianmed.com', 'Medical Devices', 1500),
  company('Brightline Retail', 'brightlineretail.com', 'Retail', 8700),
  company('Harvest & Co', 'harvestandco.com', 'Retail', 420),
  company('Urban Threads', 'urbanthreads.com', 'Apparel', 260),
  company('Fernwood Foods', 'fernwoodfoods.com', 'Food & Beverage', 1900),
  company('Copper Kettle Coffee', 'copperkettle.coffee', 'Food & Beverage', 130),
  company('Ironclad Manufacturing', 'ironcladmfg.com', 'Manufacturing', 3100),
  company('Precision Parts Group', 'precisionparts.com', 'Manufacturing', 720),
  company('Voltaic Motors', 'voltaicmotors.com', 'Automotive', 6400),
  company('Skyward Aerospace', 'skywardaero.com', 'Aerospace', 2800),
  company('Greenfield Energy', 'greenfieldenergy.com', 'Energy', 2100),
  company('Solara Power', 'solarapower.com', 'Renewable Energy', 340),
  company('Tradewind Logistics', 'tradewindlogistics.com', 'Logistics', 4600),
  company('Swiftcart Delivery', 'swiftcart.com', 'Logistics', 900),
  company('Atlas Freight', 'atlasfreight.com', 'Transportation', 1600),
  company('Summit Consulting', 'summitconsulting.com', 'Consulting', 1100),
  company('Clearview Advisors', 'clearviewadvisors.com', 'Consulting', 75),
  company('Beacon Legal', 'beaconlegal.com', 'Legal Services', 210),
  company('Redwood Realty', 'redwoodrealty.com', 'Real Estate', 380),
  company('Cornerstone Properties', 'cornerstoneprop.com', 'Real Estate', 150),
  company('Edvance Learning', 'edvance.com', 'Education', 560),
  company('Brightpath Academy', 'brightpath.edu', 'Education', 90),
  company('Pixelworks Studio', 'pixelworks.studio', 'Media', 45),
  company('Signal Media Group', 'signalmedia.com', 'Media', 1300),
  company('Echo Games', 'echogames.com', 'Gaming', 620),
  company('Nimbus Telecom', 'nimbustelecom.com', 'Telecommunications', 9800),
  company('Relay Networks', 'relaynetworks.com', 'Telecommunications', 740),
  company('Sentinel Security', 'sentinelsec.io', 'Cybersecurity', 280),
  company('Cipherguard', 'cipherguard.com', 'Cybersecurity', 55),
  company('Wayfarer Travel', 'wayfarertravel.com', 'Travel & Hospitality', 1700),
  company('Grand Oak Hotels', 'grandoakhotels.com', 'Travel & Hospitality', 7300),
  company('Fieldstone Agritech', 'fieldstoneag.com', 'Agriculture', 230),
  company('Blue Harbor Marine', 'blueharbormarine.com', 'Maritime', 480),
  company('Kinetic Fitness', 'kineticfitness.com', 'Health & Wellness', 160),
  company('Aurora Pharma', 'aurorapharma.com', 'Pharmaceuticals', 11000),
  company('Tessellate AI', 'tessellate.ai', 'Artificial Intelligence', 70),
  company('Vectorform Robotics', 'vectorform.io', 'Robotics', 300),
  company('Openfield HR', 'openfieldhr.com', 'Human Resources', 120),
  company('Civic Works', 'civicworks.org', 'Non-profit', 40),
  company('Granite Construction Group', 'graniteconstruct.com', 'Construction', 2600),
];

export interface Region {
  country: string;
  /** Null for countries whose addresses do not use a state or province. */
  state: string | null;
  cities: readonly string[];
  /** Relative frequency in the generated population. */
  weight: number;
}

export const REGIONS: readonly Region[] = [
  {
    country: 'United States',
    state: 'California',
    cities: ['San Francisco', 'Los Angeles', 'San Diego', 'San Jose'],
    weight: 18,
  },
  { country: 'United States', state: 'New York', cities: ['New York', 'Brooklyn', 'Buffalo'], weight: 12 },
  { country: 'United States', state: 'Texas', cities: ['Austin', 'Dallas', 'Houston'], weight: 10 },
  { country: 'United States', state: 'Washington', cities: ['Seattle', 'Bellevue'], weight: 6 },
  { country: 'United States', state: 'Massachusetts', cities: ['Boston', 'Cambridge'], weight: 5 },
  { country: 'United States', state: 'Illinois', cities: ['Chicago'], weight: 5 },
  { country: 'United States', state: 'Colorado', cities: ['Denver', 'Boulder'], weight: 3 },
  { country: 'Canada', state: 'Ontario', cities: ['Toronto', 'Ottawa'], weight: 6 },
  { country: 'Canada', state: 'British Columbia', cities: ['Vancouver'], weight: 3 },
  { country: 'Canada', state: 'Quebec', cities: ['Montreal'], weight: 2 },
  { country: 'United Kingdom', state: null, cities: ['London', 'Manchester', 'Edinburgh', 'Bristol'], weight: 9 },
  { country: 'Germany', state: 'Berlin', cities: ['Berlin'], weight: 4 },
  { country: 'Germany', state: 'Bavaria', cities: ['Munich', 'Nuremberg'], weight: 3 },
  { country: 'France', state: null, cities: ['Paris', 'Lyon', 'Toulouse'], weight: 4 },
  { country: 'Netherlands', state: null, cities: ['Amsterdam', 'Rotterdam', 'Utrecht'], weight: 3 },
  { country: 'Spain', state: null, cities: ['Madrid', 'Barcelona', 'Valencia'], weight: 3 },
  { country: 'India', state: 'Karnataka', cities: ['Bengaluru'], weight: 4 },
  { country: 'India', state: 'Maharashtra', cities: ['Mumbai', 'Pune'], weight: 3 },
  { country: 'Australia', state: 'New South Wales', cities: ['Sydney'], weight: 3 },
  { country: 'Australia', state: 'Victoria', cities: ['Melbourne'], weight: 2 },
  { country: 'Brazil', state: 'São Paulo', cities: ['São Paulo', 'Campinas'], weight: 2 },
  { country: 'Singapore', state: null, cities: ['Singapore'], weight: 2 },
];

// prettier-ignore
export const FIRST_NAMES: readonly string[] = [
  'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth',
  'David', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Christopher', 'Nancy', 'Daniel', 'Lisa', 'Matthew', 'Betty', 'Anthony', 'Margaret', 'Mark', 'Sandra',
  'Donald', 'Ashley', 'Steven', 'Kimberly', 'Paul', 'Emily', 'Andrew', 'Donna', 'Joshua', 'Michelle',
  'Kenneth', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Melissa', 'George', 'Deborah', 'Timothy', 'Stephanie',
  'Ronald', 'Rebecca', 'Jason', 'Sharon', 'Edward', 'Laura', 'Jeffrey', 'Cynthia', 'Ryan', 'Kathleen',
  'Jacob', 'Amy', 'Gary', 'Angela', 'Nicholas', 'Shirley', 'Eric', 'Anna', 'Jonathan', 'Brenda',
  'Stephen', 'Pamela', 'Larry', 'Emma', 'Justin', 'Nicole', 'Scott', 'Helen', 'Brandon', 'Samantha',
  'Benjamin', 'Katherine', 'Samuel', 'Christine', 'Gregory', 'Debra', 'Alexander', 'Rachel', 'Patrick', 'Carolyn',
  'Frank', 'Janet', 'Raymond', 'Catherine', 'Jack', 'Maria', 'Dennis', 'Heather', 'Jerry', 'Diane',
  'Tyler', 'Olivia', 'Aaron', 'Julie', 'Jose', 'Joyce', 'Adam', 'Victoria', 'Nathan', 'Ruth',
  'Henry', 'Virginia', 'Zachary', 'Lauren', 'Douglas', 'Kelly', 'Peter', 'Christina', 'Kyle', 'Joan',
  'Noah', 'Evelyn', 'Ethan', 'Judith', 'Jeremy', 'Andrea', 'Christian', 'Hannah', 'Walter', 'Megan',
  'Keith', 'Cheryl', 'Austin', 'Jacqueline', 'Roger', 'Martha', 'Terry', 'Madison', 'Sean', 'Teresa',
  'Priya', 'Arjun', 'Ananya', 'Rahul', 'Deepika', 'Vikram', 'Sofia', 'Mateo', 'Lucia', 'Diego',
  'Camila', 'Javier', 'Valentina', 'Lukas', 'Lena', 'Felix', 'Hannes', 'Marie', 'Louis', 'Chloé',
  'Hugo', 'Léa', 'Wei', 'Mei', 'Hiroshi', 'Yuki', 'Min-jun', 'Seo-yeon', 'Oliver', 'Amelia',
  'Liam', 'Isla', 'Harry', 'Freya', 'Lars', 'Ingrid', 'Sven', 'Astrid', 'Ahmed', 'Fatima',
  'Omar', 'Layla', 'Kwame', 'Amara', 'Chidi', 'Zara', 'Tomás', 'Inês', 'João', 'Beatriz',
];

// prettier-ignore
export const LAST_NAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin',
  'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson',
  'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores',
  'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts',
  'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes',
  'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper',
  'Peterson', 'Bailey', 'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson',
  'Watson', 'Brooks', 'Chavez', 'Wood', 'James', 'Bennett', 'Gray', 'Mendoza', 'Ruiz', 'Hughes',
  'Price', 'Alvarez', 'Castillo', 'Sanders', 'Patel', 'Myers', 'Long', 'Ross', 'Foster', 'Jimenez',
  'Powell', 'Jenkins', 'Perry', 'Russell', 'Sullivan', 'Bell', 'Coleman', 'Butler', 'Henderson', 'Barnes',
  'Fisher', 'Vasquez', 'Simmons', 'Graham', 'Marshall', 'Owens', 'Harrison', 'Gibson', 'Wallace', 'Hamilton',
  'Sharma', 'Gupta', 'Singh', 'Kumar', 'Reddy', 'Iyer', 'Müller', 'Schmidt', 'Schneider', 'Fischer',
  'Weber', 'Wagner', 'Becker', 'Dubois', 'Lefèvre', 'Moreau', 'Laurent', 'Bernard', 'Rossi', 'Bianchi',
  'Silva', 'Santos', 'Oliveira', 'Costa', 'Pereira', 'Fernández', 'Navarro', 'Romero', 'Wang', 'Li',
  'Zhang', 'Chen', 'Liu', 'Tanaka', 'Suzuki', 'Sato', 'Park', 'Choi', 'Jensen', 'Nielsen',
  'Hansen', 'Larsen', 'Andersson', 'Johansson', 'Van der Berg', 'De Vries', 'Bakker', 'Janssen', "O'Brien", 'Murray',
  'Okafor', 'Mensah', 'Abubakar', 'Haddad', 'Khan', 'Hussain', 'Ali', 'Cohen', 'Levi', 'Novak',
];
