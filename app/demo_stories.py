"""The demo newsroom's desks: invented but plausible stories, people and places.

Every story is fiction written for the demo; no quotation belongs to a real person. A story's
``{x}`` is filled with each of its ``fills`` in turn, making one article per fill.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Story:
    headline: str
    standfirst: str
    bullets: tuple[str, ...]
    detail: str
    caption: str
    fills: tuple[str, ...] = ("",)


@dataclass(frozen=True)
class Desk:
    topic: str
    section: str
    region: str | None
    reporters: tuple[str, ...]
    # voices[i] says quotes[i].
    voices: tuple[str, ...]
    quotes: tuple[str, ...]
    context: tuple[str, ...]
    outlook: tuple[str, ...]
    stories: tuple[Story, ...]
    related: tuple[str, ...] = ()


DESKS: tuple[Desk, ...] = (
    Desk(
        topic="China-Russia relations",
        section="China",
        region="CN",
        reporters=("Zhou Meilin", "Pavel Orlov"),
        related=("Diplomacy",),
        voices=(
            "Tatiana Belova, who studies Russian foreign policy at a Moscow think tank",
            "Chen Hao, a former Chinese diplomat now teaching in Shanghai",
            "a Western official who asked not to be named",
        ),
        quotes=(
            "Neither side wants to be seen as the junior partner, but both need each other more "
            "than they did five years ago",
            "The language is warm and the trade figures are real, but the alliance has limits "
            "that both capitals understand",
            "Every visit is choreographed to send a message to Washington as much as to each other",
        ),
        context=(
            "Trade between the two countries has reached record levels since Western sanctions "
            "pushed Moscow to look east for buyers of its oil, gas and coal.",
            "Beijing has presented itself as neutral on the war in Ukraine while refusing to "
            "condemn Moscow, a position Western governments regard as tacit support.",
            'The two governments declared a partnership with "no limits" weeks before Russian '
            "troops crossed into Ukraine in February 2022.",
        ),
        outlook=(
            "A further round of talks is expected before the end of the year.",
            "Neither government responded to requests for further comment.",
        ),
        stories=(
            Story(
                "Beijing and Moscow agree {x} as trade hits a record",
                "The two governments signed {x} on Tuesday, the latest sign of an economic "
                "relationship that Western sanctions have pushed ever closer.",
                (
                    "Deal is the third of its kind this year",
                    "Payments will be settled in yuan and roubles rather than dollars",
                ),
                "Customs data show that bilateral trade grew by almost a third over the past "
                "twelve months, driven by Chinese car exports and Russian crude.",
                "Containers stacked at the border crossing at Zabaikalsk",
                (
                    "a new rail freight corridor",
                    "a long-term grain export accord",
                    "a deal on nuclear fuel supplies",
                ),
            ),
            Story(
                "Chinese and Russian navies hold joint drills in the {x}",
                "Warships from both countries began several days of exercises in the {x}, in a "
                "display of military co-operation watched closely by neighbouring states.",
                (
                    "Exercises include anti-submarine and air-defence training",
                    "Japan says it is monitoring the vessels' movements",
                ),
                "The defence ministries described the drills as routine and not aimed at any "
                "third country.",
                "A Chinese destroyer sails alongside a Russian frigate during the exercise",
                ("Sea of Japan", "East China Sea", "western Pacific"),
            ),
            Story(
                "Power of Siberia 2 talks stall over gas price, officials say",
                "Negotiations over a second major pipeline carrying Russian gas to China have "
                "stalled over pricing, according to people familiar with the discussions.",
                (
                    "Beijing is said to be seeking prices close to Russia's domestic rates",
                    "The pipeline would replace part of the European market Moscow has lost",
                ),
                "Russia's gas exports to Europe have collapsed since 2022, leaving the pipeline "
                "one of the few large projects that could replace the lost revenue.",
                "Workers at a gas compressor station in the Amur region",
            ),
            Story(
                "Russian tourists flock to {x} as visa-free travel expands",
                "Group tours between the two countries have surged since visa requirements were "
                "relaxed, with {x} among the most popular destinations.",
                (
                    "Flights between the two countries have more than doubled",
                    "Hotels report a shortage of Russian-speaking staff",
                ),
                "Tour operators said bookings for the winter season were already above last "
                "year's total.",
                "Russian tourists photograph the waterfront in {x}",
                ("Harbin", "the resort island of Hainan", "Shanghai"),
            ),
        ),
    ),
    Desk(
        topic="War in Ukraine",
        section="Europe",
        region="UA",
        reporters=("Olena Marchenko", "Tomasz Wierzbicki"),
        voices=(
            "Iryna Koval, a volunteer who runs a field kitchen near the front",
            "a senior Ukrainian military officer speaking on condition of anonymity",
            "Mark Ellison, a defence analyst at a London research group",
        ),
        quotes=(
            "People here have learned to live with the sirens, but nobody gets used to them",
            "The front line barely moves on the map, yet every metre costs lives",
            "What matters now is whether air defence and ammunition arrive on time",
        ),
        context=(
            "Russia launched its full-scale invasion of Ukraine in February 2022; it occupies "
            "nearly a fifth of the country's territory.",
            "Ukraine's energy grid has been a repeated target of Russian missile and drone "
            "attacks, particularly in the winter months.",
            "Kyiv's allies have pledged further military and financial support, though "
            "deliveries have often lagged behind promises.",
        ),
        outlook=(
            "Officials warned that further strikes were likely as temperatures fall.",
            "Ukraine's allies are due to discuss further support at a meeting next month.",
        ),
        stories=(
            Story(
                "Overnight drone attack leaves parts of {x} without power",
                "Emergency crews worked through the night to restore electricity in {x} after "
                "a wave of drones struck energy facilities, officials said.",
                (
                    "Air defences shot down most of the drones, the air force said",
                    "Schools switched to remote lessons for the day",
                ),
                "Regional authorities said at least two people were injured by falling debris "
                "and several residential buildings were damaged.",
                "Firefighters at a damaged substation in {x}",
                ("Kharkiv", "Odesa", "Dnipro"),
            ),
            Story(
                "Ukraine and Russia exchange {x} prisoners of war",
                "{x} prisoners of war returned home on each side in the latest exchange brokered "
                "with the help of mediators from the Gulf.",
                (
                    "Some had been held since the first months of the invasion",
                    "Families waited at the border with photographs of missing relatives",
                ),
                "Ukraine's co-ordination headquarters for prisoners said many of those released "
                "needed urgent medical treatment.",
                "Released Ukrainian soldiers embrace relatives after crossing the border",
                ("95", "150", "103"),
            ),
            Story(
                "Grain ships keep sailing from Odesa despite missile threat",
                "Ukraine's Black Sea corridor is handling more cargo than before the war, port "
                "officials say, even as attacks on port infrastructure continue.",
                (
                    "Insurance costs for ships calling at Odesa have fallen this year",
                    "Most exports are grain, sunflower oil and iron ore",
                ),
                "The corridor hugs the western coast of the Black Sea, close to the territorial "
                "waters of Romania and Bulgaria.",
                "A bulk carrier is loaded with grain at the port of Odesa",
            ),
            Story(
                "Volunteers rebuild homes in liberated villages near {x}",
                "Months after Russian troops withdrew from villages near {x}, volunteers and "
                "returning residents are patching roofs and clearing mines before winter.",
                (
                    "Demining teams say clearing farmland could take years",
                    "Only a third of residents have returned so far",
                ),
                "Local councils said they had received materials for temporary repairs but "
                "lacked builders and machinery.",
                "A volunteer fixes a roof in a village near {x}",
                ("Kherson", "Izium", "Chernihiv"),
            ),
        ),
    ),
    Desk(
        topic="US politics",
        section="US",
        region="US",
        reporters=("Rachel Whitford", "Marcus Bell", "Daniel Okonkwo"),
        voices=(
            "Laura Jennings, a congressional historian",
            "a senior Senate aide involved in the negotiations",
            "Carlos Medina, a political scientist who studies swing voters",
        ),
        quotes=(
            "Both parties know a shutdown would be blamed on whoever blinks last",
            "The margins in the House are so thin that a handful of members can stop anything",
            "Voters tell us they care about prices first and everything else second",
        ),
        context=(
            "Republicans and Democrats are separated by only a few seats in the House of "
            "Representatives, making every vote a test of party discipline.",
            "Polls suggest voters remain most concerned about the cost of living and housing.",
            "Congress must pass spending bills before the start of the fiscal year on "
            "1 October or agree a stopgap measure.",
        ),
        outlook=(
            "Both parties are already looking ahead to next year's midterm elections.",
            "The White House did not immediately respond to a request for comment.",
        ),
        stories=(
            Story(
                "Senate reaches bipartisan deal on {x}",
                "A group of senators from both parties said they had agreed a framework on {x}, "
                "though its path through the House remains uncertain.",
                (
                    "The deal was negotiated over six weeks of closed-door talks",
                    "Leaders in the House have not committed to a vote",
                ),
                "The text runs to more than 300 pages and includes funding over five years.",
                "Senators speak to reporters outside the Capitol in Washington",
                ("rail safety", "wildfire funding", "chip export controls"),
            ),
            Story(
                "Race for governor in {x} tightens as early voting opens",
                "Early voting began in {x} with polls showing the two candidates within the "
                "margin of error after a bruising campaign over housing and schools.",
                (
                    "Turnout on the first day beat the record set four years ago",
                    "Both campaigns are focusing on suburban voters",
                ),
                "Outside groups have spent tens of millions of dollars on advertising in the "
                "final month of the race.",
                "Voters queue outside a polling station in {x}",
                ("Arizona", "Pennsylvania", "Wisconsin"),
            ),
            Story(
                "Congress averts shutdown with stopgap funding bill",
                "Lawmakers passed a short-term spending measure hours before the deadline, "
                "keeping federal agencies open for another seven weeks.",
                (
                    "The measure passed with support from both parties",
                    "Disputes over border funding were left for later",
                ),
                "Federal employees had been told to prepare for furloughs if the bill failed.",
                "The Capitol dome at dusk as lawmakers work late into the night",
            ),
            Story(
                "Supreme Court agrees to hear case on {x}",
                "The justices will consider a challenge over {x} in a case that could reshape "
                "how federal rules are written and enforced.",
                (
                    "Arguments are expected early next year",
                    "A ruling would likely come by the end of June",
                ),
                "Lower courts have split on the question, increasing pressure on the court to "
                "settle it.",
                "The Supreme Court building in Washington",
                (
                    "social media age checks",
                    "water pollution permits",
                    "drone flights over private land",
                ),
            ),
        ),
    ),
    Desk(
        topic="European Union",
        section="Europe",
        region="BE",
        reporters=("Sophie Lambert", "Tomasz Wierzbicki"),
        voices=(
            "Anneke de Vries, who follows EU institutions for a Brussels policy centre",
            "an EU diplomat briefed on the talks",
            "Giorgos Papadakis, a member of the European Parliament's budget committee",
        ),
        quotes=(
            "Unanimity means the slowest member sets the pace, and everyone knows it",
            "This is the kind of compromise Brussels is built for: nobody is happy, so it works",
            "Member states want the benefits of common action without giving up a veto",
        ),
        context=(
            "The bloc's 27 members must agree unanimously on foreign policy and its long-term "
            "budget, giving individual governments considerable leverage.",
            "The European Commission proposes legislation, which must then be agreed by member "
            "states and the European Parliament.",
            "Several capitals have pressed for tighter rules on state aid as competition with "
            "the US and China intensifies.",
        ),
        outlook=(
            "Ambassadors will return to the file next week.",
            "EU leaders are expected to discuss the issue at their next summit in Brussels.",
        ),
        stories=(
            Story(
                "EU ministers strike deal on {x} after all-night talks",
                "Ministers meeting in Brussels agreed new rules on {x} in the early hours, "
                "ending months of deadlock between northern and southern member states.",
                (
                    "Smaller states won concessions on the timetable",
                    "The European Parliament must still approve the text",
                ),
                "The agreement was reached just before six in the morning after several "
                "adjournments for bilateral talks.",
                "Ministers arrive for talks at the Council building in Brussels",
                ("electricity market reform", "packaging waste", "battery recycling"),
            ),
            Story(
                "Brussels opens investigation into {x}",
                "The European Commission has opened a formal investigation into {x}, which "
                "could lead to fines of up to 6% of global turnover.",
                (
                    "The company says it will co-operate fully",
                    "Investigations of this kind usually take more than a year",
                ),
                "Officials said they had gathered evidence from competitors and consumer groups "
                "before deciding to act.",
                "The Berlaymont building, headquarters of the European Commission",
                (
                    "an online marketplace's ranking rules",
                    "a cloud provider's licensing terms",
                    "a streaming platform's pricing",
                ),
            ),
            Story(
                "Membership talks with {x} move to next stage",
                "EU governments agreed to open new chapters in accession talks with {x}, "
                "praising reforms but warning that much work remains.",
                (
                    "Rule of law and corruption chapters will be opened first",
                    "No date has been set for eventual membership",
                ),
                "Enlargement has risen up the agenda since Russia's full-scale invasion of "
                "Ukraine, though several members remain cautious.",
                "EU and national flags outside a government building in {x}",
                ("Moldova", "Montenegro", "Albania"),
            ),
            Story(
                "EU agrees common approach to drought as reservoirs run low",
                "Environment ministers backed a plan to share data and co-ordinate water "
                "restrictions after a second dry summer in southern Europe.",
                (
                    "Reservoirs in parts of Spain and Italy are below 30% capacity",
                    "Farmers' groups want compensation for lost harvests",
                ),
                "The plan is voluntary but ministers said it would speed up emergency funding.",
                "A dried-up reservoir in Catalonia",
            ),
        ),
    ),
    Desk(
        topic="Middle East",
        section="Middle East",
        region=None,
        reporters=("Layla Haddad", "Yusuf Demir"),
        voices=(
            "Nadia Farouk, a researcher on Gulf politics",
            "a regional diplomat familiar with the talks",
            "Samir Khoury, who runs a humanitarian group in the area",
        ),
        quotes=(
            "Every ceasefire here is fragile until people can see a change in their daily lives",
            "The diplomacy is happening in rooms nobody photographs",
            "Aid is getting through, but not at the scale the need demands",
        ),
        context=(
            "Regional powers have stepped up mediation efforts this year, with Gulf states "
            "playing a growing role.",
            "Aid agencies have repeatedly warned about shortages of food, fuel and medicine.",
            "Shipping through the Red Sea has been disrupted by attacks on commercial vessels.",
        ),
        outlook=(
            "Regional governments did not immediately comment.",
            "Analysts said much would depend on the wider security situation in the region.",
        ),
        stories=(
            Story(
                "Mediators report progress in talks hosted by {x}",
                "Negotiators meeting in {x} said they had narrowed differences on a phased "
                "ceasefire, though key questions remain unresolved.",
                (
                    "The talks have been held behind closed doors for a week",
                    "Both sides deny that a deal is imminent",
                ),
                "Officials said the latest draft included provisions on aid deliveries and the "
                "release of detainees.",
                "Delegates arrive for talks in {x}",
                ("Doha", "Cairo", "Muscat"),
            ),
            Story(
                "Shipping firms return to Red Sea route as attacks ease",
                "Several large container lines are sending ships back through the Suez Canal "
                "after months of diverting them around the Cape of Good Hope.",
                (
                    "The detour added about ten days to journeys between Asia and Europe",
                    "Insurers remain cautious about the route",
                ),
                "Canal revenues fell sharply while the route was avoided, a significant loss for "
                "Egypt's economy.",
                "A container ship passes through the Suez Canal",
            ),
            Story(
                "{x} unveils giant solar project in the desert",
                "Officials in {x} launched one of the region's largest solar farms, part of a "
                "push to diversify economies long dependent on oil and gas.",
                (
                    "The plant will power hundreds of thousands of homes",
                    "Chinese and European firms are among the contractors",
                ),
                "Energy ministers in the Gulf have set targets to generate far more of their "
                "electricity from renewables by 2030.",
                "Rows of solar panels stretch across the desert in {x}",
                ("Saudi Arabia", "the United Arab Emirates", "Oman"),
            ),
            Story(
                "Lebanon's economy shows first signs of recovery, says central bank",
                "The central bank said deposits and tourism receipts had risen for a third "
                "quarter, though living standards remain far below pre-crisis levels.",
                (
                    "The currency has stabilised after losing most of its value",
                    "An agreement with the IMF is still pending",
                ),
                "Lebanon defaulted on its debt in 2020, and many savers still cannot access "
                "their deposits.",
                "Shoppers in a Beirut market",
            ),
        ),
    ),
    Desk(
        topic="Climate change",
        section="Climate",
        region=None,
        reporters=("Amara Okafor", "Lars Henriksen"),
        related=("Environment",),
        voices=(
            "Helena Varga, a climate scientist who studies extreme heat",
            "Tomás Rivera, who leads a coalition of small island states",
            "Priya Nair, an energy economist",
        ),
        quotes=(
            "Every fraction of a degree matters, and this year's data leave no room for "
            "complacency",
            "The money promised is still a fraction of what vulnerable countries need",
            "Clean power is now the cheapest option in most markets; the bottleneck is the grid",
        ),
        context=(
            "The past decade has been the warmest on record, according to the World "
            "Meteorological Organization.",
            "Under the Paris Agreement, countries aim to limit warming to well below 2C and "
            "pursue efforts to keep it to 1.5C.",
            "Scientists say heatwaves, droughts and heavy rainfall are becoming more frequent "
            "and intense as the planet warms.",
        ),
        outlook=(
            "Negotiators will meet again at the next UN climate summit.",
            "The findings will feed into the next assessment by UN climate scientists.",
        ),
        stories=(
            Story(
                "Heatwave grips {x} as temperatures top 45C",
                "Hospitals in {x} reported a surge in heatstroke cases as a dome of high "
                "pressure kept temperatures above 45C for a fifth day.",
                (
                    "Night-time temperatures have stayed above 30C",
                    "Authorities opened cooling centres in schools and libraries",
                ),
                "Forecasters said relief was unlikely before the weekend, when storms are "
                "expected to arrive from the west.",
                "A man cools off at a public fountain in {x}",
                ("southern Spain", "northern India", "Pakistan's Sindh province"),
            ),
            Story(
                "Global emissions set to fall for the first time outside a recession",
                "A new analysis suggests emissions from fossil fuels will dip this year as solar "
                "and wind growth outpaces rising demand for energy.",
                (
                    "Solar installations grew faster than any forecast predicted",
                    "Emissions from coal in China appear to have peaked",
                ),
                "The authors cautioned that a single year's fall did not put the world on track "
                "to meet its climate goals.",
                "Wind turbines off the coast of Jiangsu province, China",
            ),
            Story(
                "Glaciers in the {x} lost record ice this summer",
                "Glaciers in the {x} shrank faster than in any year since measurements began, "
                "monitoring scientists said.",
                (
                    "Low winter snowfall left ice exposed to summer sun",
                    "Meltwater is vital for rivers and farming downstream",
                ),
                "Researchers said some smaller glaciers could disappear entirely within two "
                "decades.",
                "A retreating glacier in the {x}",
                ("Alps", "Himalayas", "Andes"),
            ),
            Story(
                "Cities plant urban forests to fight rising heat",
                "From Paris to Medellín, city halls are tearing up asphalt and planting trees to "
                "cool neighbourhoods that bake in summer.",
                (
                    "Shaded streets can be several degrees cooler",
                    "Poorer districts tend to have the fewest trees",
                ),
                "Urban planners say the programmes also reduce flooding by letting rain soak "
                "into the ground.",
                "Volunteers plant saplings on a former car park",
            ),
            Story(
                "Coral bleaching reaches {x}, scientists warn",
                "Marine biologists said mass bleaching had spread to reefs in {x} after months "
                "of unusually warm sea temperatures.",
                (
                    "Bleached corals can recover if waters cool quickly",
                    "Repeated bleaching leaves reefs little time to heal",
                ),
                "Reefs support about a quarter of all marine species despite covering a tiny "
                "fraction of the ocean floor.",
                "Bleached coral off the coast of {x}",
                ("the Red Sea", "Mozambique", "Fiji"),
            ),
        ),
    ),
    Desk(
        topic="Global economy",
        section="Business",
        region=None,
        reporters=("Hannah Clarke", "Rajiv Mehta", "Elena Sokolova"),
        voices=(
            "Julia Brandt, chief economist at a Frankfurt bank",
            "Kenji Watanabe, a fund manager in Tokyo",
            "an official at the International Monetary Fund",
        ),
        quotes=(
            "The last mile of bringing inflation down is always the hardest",
            "Markets have priced in cuts that central banks have not promised",
            "Consumers are still spending, but they are trading down",
        ),
        context=(
            "Central banks raised interest rates sharply in 2022 and 2023 to tame the highest "
            "inflation in decades.",
            "Growth in China has slowed as its property sector struggles with heavy debts.",
            "Higher borrowing costs have weighed on housing markets and business investment.",
        ),
        outlook=(
            "Policymakers meet again in six weeks.",
            "Investors will watch next week's inflation figures for confirmation.",
        ),
        stories=(
            Story(
                "{x} holds interest rates, signals cuts may come next year",
                "The {x} kept borrowing costs unchanged but said it could begin lowering them "
                "next year if inflation continues to ease.",
                (
                    "The decision was unanimous",
                    "Markets now expect the first cut in the spring",
                ),
                "Policymakers said wage growth and services prices remained higher than they "
                "would like.",
                "The headquarters of the {x}",
                ("European Central Bank", "Bank of England", "Federal Reserve"),
            ),
            Story(
                "Inflation in {x} falls to lowest level in three years",
                "Consumer prices in {x} rose at the slowest annual pace in three years, helped "
                "by cheaper fuel and food.",
                (
                    "Core inflation, which strips out energy and food, also eased",
                    "Rents continue to rise faster than other prices",
                ),
                "Economists said the figures strengthened the case for lower interest rates.",
                "Shoppers at a supermarket in {x}",
                ("the eurozone", "Canada", "Japan"),
            ),
            Story(
                "IMF trims global growth forecast, warns of trade risks",
                "The International Monetary Fund lowered its forecast for world growth next year "
                "and warned that rising trade barriers could cause lasting damage.",
                (
                    "Emerging markets are expected to grow faster than rich economies",
                    "The fund urged governments to rebuild budget buffers",
                ),
                "The fund's economists said debt levels in many countries remained above their "
                "pre-pandemic levels.",
                "Delegates at the IMF and World Bank meetings",
            ),
            Story(
                "China unveils stimulus to steady property market",
                "Beijing announced measures to support home buyers and developers, its latest "
                "attempt to revive a property sector that has weighed on growth.",
                (
                    "Down-payment requirements will be lowered in big cities",
                    "Local governments can buy unsold homes for social housing",
                ),
                "Property and related industries once accounted for about a quarter of China's "
                "economic output.",
                "Unfinished residential towers on the outskirts of a Chinese city",
            ),
        ),
    ),
    Desk(
        topic="Artificial intelligence",
        section="Technology",
        region=None,
        reporters=("Maya Goldberg", "Ethan Park"),
        related=("Technology",),
        voices=(
            "Sara Lindholm, who researches machine learning safety",
            "Arjun Kapoor, founder of a start-up that builds AI tools for hospitals",
            "a lawyer who advises technology companies on regulation",
        ),
        quotes=(
            "The models are improving faster than our ability to test them",
            "Every company says it is an AI company now; few can show the returns yet",
            "The real question is not what the technology can do, but who is accountable when "
            "it gets things wrong",
        ),
        context=(
            "Investment in AI has surged since chatbots capable of fluent conversation reached "
            "the public in late 2022.",
            "The EU's AI Act sets obligations according to the risk a system poses, with the "
            "strictest rules for uses such as hiring and policing.",
            "Data centres that train and run AI models consume large amounts of electricity "
            "and water.",
        ),
        outlook=(
            "Regulators are expected to publish guidance early next year.",
            "Governments are still working out how existing rules apply to the technology.",
        ),
        stories=(
            Story(
                "AI model matches doctors at reading {x}, study finds",
                "A peer-reviewed study found that an AI system identified problems on {x} as "
                "accurately as experienced specialists, though researchers urged caution.",
                (
                    "The system was tested on images from five hospitals",
                    "Researchers say it should assist doctors, not replace them",
                ),
                "The authors noted that the system performed less well on images from older "
                "scanners.",
                "A radiologist reviews scans at a hospital",
                ("chest X-rays", "eye scans", "mammograms"),
            ),
            Story(
                "Newsrooms and AI firms strike licensing deals",
                "Several publishers have signed agreements allowing AI companies to use their "
                "archives, while others are suing over the use of their work.",
                (
                    "Terms of most deals have not been disclosed",
                    "Authors' groups are pressing for compensation",
                ),
                "Copyright cases in several countries could decide whether training AI on "
                "published work requires permission.",
                "A printing press in operation",
            ),
            Story(
                "Data centre boom strains power grid in {x}",
                "Grid operators in {x} warned that demand from new data centres could outstrip "
                "supply within five years unless new capacity is built.",
                (
                    "Some projects have been told to wait years for a connection",
                    "Operators are turning to on-site power and batteries",
                ),
                "Local residents have objected to the noise and water use of some facilities.",
                "A data centre under construction in {x}",
                ("Ireland", "Virginia", "the Netherlands"),
            ),
            Story(
                "Schools rewrite homework rules as students embrace chatbots",
                "Teachers are redesigning assignments and bringing essay writing back into the "
                "classroom as AI tools become part of pupils' daily routines.",
                (
                    "Some schools teach students how to use AI responsibly",
                    "Detection software has proved unreliable",
                ),
                "Education ministries in several countries have issued guidance, but much is left "
                "to individual schools.",
                "Pupils work on laptops in a classroom",
            ),
        ),
    ),
    Desk(
        topic="Public health",
        section="Health",
        region=None,
        reporters=("Grace Mwangi", "Isabel Fontaine"),
        related=("Health",),
        voices=(
            "Dr Aisha Rahman, an epidemiologist",
            "a hospital manager who asked not to be named",
            "Dr Lucas Moreau, a general practitioner",
        ),
        quotes=(
            "Prevention is cheaper than treatment, but it never makes the headlines",
            "Our staff are exhausted, and winter has not even started",
            "The science is clear; the challenge is reaching the people who need it most",
        ),
        context=(
            "Health systems in many countries are still working through backlogs that built "
            "up during the Covid-19 pandemic.",
            "The World Health Organization has warned that vaccination rates for several "
            "childhood diseases have not fully recovered.",
            "Shortages of nurses and doctors are a problem in rich and poor countries alike.",
        ),
        outlook=(
            "Health officials will review the figures at the end of the season.",
            "Health officials said they would publish updated figures next month.",
        ),
        stories=(
            Story(
                "Measles cases rise in {x} as vaccination rates slip",
                "Health authorities in {x} urged parents to check their children's vaccinations "
                "after a sharp rise in measles cases.",
                (
                    "Most cases are in children who were not vaccinated",
                    "Clinics are offering walk-in appointments",
                ),
                "Measles is one of the most contagious diseases known and can cause serious "
                "complications.",
                "A child receives a vaccination at a clinic in {x}",
                ("England", "Romania", "Texas"),
            ),
            Story(
                "Malaria vaccine rollout expands to {x}",
                "Children in {x} will begin receiving a malaria vaccine this month, part of the "
                "largest rollout of its kind.",
                (
                    "Malaria kills hundreds of thousands of children each year",
                    "The vaccine is given in four doses",
                ),
                "Health workers said demand from parents had been high in pilot areas.",
                "A health worker prepares a vaccine in {x}",
                ("Cameroon", "Burkina Faso", "Nigeria"),
            ),
            Story(
                "Weight-loss drugs show benefits for heart and kidneys",
                "A large trial suggests a new class of weight-loss drugs reduces the risk of "
                "heart attacks and kidney disease, not just body weight.",
                (
                    "Demand has outstripped supply in several countries",
                    "Health systems are weighing the cost of wider use",
                ),
                "Doctors said more research was needed on long-term effects.",
                "Injection pens used to administer the medicine",
            ),
            Story(
                "Hospitals brace for winter as flu season starts early",
                "Emergency departments are preparing for a difficult winter after flu cases "
                "began rising weeks earlier than usual.",
                (
                    "Health officials urged older people to get vaccinated",
                    "Hospitals are opening extra beds",
                ),
                "Early data from the southern hemisphere pointed to a heavy season.",
                "Ambulances wait outside an emergency department",
            ),
        ),
    ),
    Desk(
        topic="Space exploration",
        section="Science",
        region=None,
        reporters=("Ingrid Solberg", "Kwame Mensah"),
        related=("Science",),
        voices=(
            "Dr Elena Ruiz, a planetary scientist",
            "a mission engineer who worked on the spacecraft",
            "Hiroshi Tanaka, who tracks launch industry trends",
        ),
        quotes=(
            "Every mission answers one question and raises three more",
            "Landing is the hardest part; there is no second attempt",
            "The cost of getting to orbit has fallen so far that new kinds of science are possible",
        ),
        context=(
            "Reusable rockets have sharply reduced the cost of launching satellites.",
            "NASA and its partners plan to return astronauts to the Moon this decade.",
            "China, India and Japan have all landed spacecraft on the Moon in recent years.",
        ),
        outlook=(
            "The agency said it would publish more detailed results in the coming months.",
            "Further missions are planned before the end of the decade.",
        ),
        stories=(
            Story(
                "Probe sends back first close-up images of {x}",
                "A spacecraft has returned its first detailed pictures of {x}, revealing surface "
                "features scientists have never seen before.",
                (
                    "The images were taken from a few hundred kilometres away",
                    "Scientists hope to learn how the solar system formed",
                ),
                "Mission controllers said the spacecraft was healthy and all instruments were "
                "working.",
                "An image of {x} released by the mission team",
                ("Jupiter's moon Europa", "an asteroid", "Mercury"),
            ),
            Story(
                "Astronauts return after six months on the space station",
                "A four-person crew splashed down off the coast of Florida after six months "
                "aboard the International Space Station.",
                (
                    "The crew carried out more than 200 experiments",
                    "It was the first spaceflight for two of them",
                ),
                "The station, in orbit since 1998, is expected to be retired around 2030.",
                "The capsule is recovered after splashdown",
            ),
            Story(
                "{x} space agency sets date for first crewed mission",
                "Officials announced a target date for the country's first mission to carry "
                "astronauts into orbit aboard its own rocket.",
                (
                    "The crew is training in simulators",
                    "Two uncrewed test flights are planned first",
                ),
                "The programme has faced delays after problems with the escape system.",
                "The rocket on the launch pad during a test",
                ("India's", "Japan's", "South Korea's"),
            ),
            Story(
                "Telescope spots water vapour on distant planet",
                "Astronomers detected water vapour in the atmosphere of a planet orbiting a "
                "nearby star, a step in the search for worlds that could host life.",
                (
                    "The planet is about twice the size of Earth",
                    "It is probably too hot for liquid water on its surface",
                ),
                "The results were published in a peer-reviewed journal.",
                "An artist's impression of the planet and its star",
            ),
        ),
    ),
    Desk(
        topic="Football",
        section="Sport",
        region="GB",
        reporters=("Jamie Doyle", "Lucía Herrera", "Callum Reid"),
        voices=(
            "the manager",
            "the club's captain",
            "a former international now working as a television pundit",
        ),
        quotes=(
            "We showed character today; nobody gave us a chance at half-time",
            "There is no time to celebrate, we play again on Wednesday",
            "The league is so tight that one bad week changes everything",
        ),
        context=(
            "The title race remains open with only a few points separating the top four.",
            "Clubs face a congested fixture list with domestic cups and European matches.",
            "Injuries to key players have tested the depth of several squads this season.",
        ),
        outlook=(
            "The side travel for a European fixture in midweek.",
            "Attention now turns to a busy winter schedule.",
        ),
        stories=(
            Story(
                "Late winner sends {x} top of the table",
                "A stoppage-time goal gave {x} a dramatic victory and moved them to the top of "
                "the league for the first time this season.",
                (
                    "The winner came in the 94th minute",
                    "The visitors had a player sent off just before half-time",
                ),
                "The home side had trailed for most of the match before two goals in the final "
                "ten minutes.",
                "Players celebrate the winning goal",
                ("Northbridge Athletic", "Riverside United", "Eastfield Town"),
            ),
            Story(
                "Women's league breaks attendance record",
                "A record crowd watched the opening weekend of the women's top flight, as the "
                "game's popularity continues to grow.",
                (
                    "Broadcast audiences have also risen",
                    "Clubs are moving matches to larger stadiums",
                ),
                "Sponsorship income for the league has tripled over three seasons.",
                "Fans fill the stands for a women's league match",
            ),
            Story(
                "{x} sack manager after winless run",
                "{x} dismissed their manager after a run of eight league games without a win "
                "left the club close to the relegation zone.",
                (
                    "The coach had been in charge for 14 months",
                    "A youth coach will take temporary charge",
                ),
                "The club's owners said a decision on a permanent successor would be made "
                "within weeks.",
                "The manager on the touchline during his final match",
                ("Harbour City", "Westmoor Rovers", "Kingsport City"),
            ),
            Story(
                "Cup holders knocked out by third-tier side",
                "The holders crashed out of the cup after a shock defeat away to a third-tier "
                "club, whose goalkeeper saved two penalties in the shoot-out.",
                (
                    "The match finished 1-1 after extra time",
                    "The hosts' budget is a fraction of their opponents'",
                ),
                "Fans invaded the pitch at the final whistle to celebrate the club's greatest "
                "result.",
                "Home supporters celebrate on the pitch",
            ),
        ),
    ),
    Desk(
        topic="Tennis",
        section="Sport",
        region=None,
        reporters=("Lucía Herrera", "Callum Reid"),
        voices=("the champion", "her coach", "a former world number one"),
        quotes=(
            "I stayed calm when it mattered; that is what I have been working on all year",
            "The margins at this level are tiny, a couple of points decide everything",
            "The new generation hits harder than anyone we have seen",
        ),
        context=(
            "The season ends with the tour finals, contested by the year's top eight players.",
            "Several top players have missed events this year because of injury.",
            "Prize money at the biggest events has risen sharply in the past decade.",
        ),
        outlook=(
            "The rankings will be updated on Monday.",
            "The next tournament begins in a week.",
        ),
        stories=(
            Story(
                "Teenager stuns top seed to reach {x} final",
                "A 19-year-old qualifier beat the top seed in three sets to reach the final in "
                "{x}, the biggest win of her career.",
                (
                    "She had never beaten a top-ten player before",
                    "She will rise into the world's top 50",
                ),
                "The match lasted almost three hours in hot and windy conditions.",
                "The teenager celebrates match point in {x}",
                ("Madrid", "Cincinnati", "Tokyo"),
            ),
            Story(
                "Veteran announces retirement after final match in {x}",
                "One of the game's most popular players said he would retire after playing his "
                "last match in {x} in front of a home crowd.",
                (
                    "He won 14 titles during his career",
                    "He plans to coach young players",
                ),
                "Fellow players paid tribute to his sportsmanship on social media.",
                "The player waves to the crowd in {x}",
                ("Basel", "Buenos Aires", "Stockholm"),
            ),
            Story(
                "Tour introduces shot clock changes after player complaints",
                "Tennis authorities will adjust rules on time between points after players said "
                "the current system was applied inconsistently.",
                (
                    "The change takes effect next season",
                    "Umpires will get more discretion",
                ),
                "Players' representatives welcomed the decision but want further changes to the "
                "calendar.",
                "A serve is timed on the court clock",
            ),
        ),
    ),
    Desk(
        topic="Elections",
        section="World",
        region=None,
        reporters=("Daniel Okonkwo", "Sophie Lambert", "Ana Beatriz Costa"),
        related=("Democracy",),
        voices=(
            "an election observer",
            "Michael Adeyemi, a political analyst",
            "a campaign strategist who asked not to be named",
        ),
        quotes=(
            "Turnout will decide this election more than any debate",
            "Voters are tired of the same faces and the same promises",
            "The result is a clear mandate, but governing will be harder than campaigning",
        ),
        context=(
            "More than half the world's population lives in countries that have held national "
            "elections in the past two years.",
            "Cost of living and corruption have been the dominant issues in many campaigns.",
            "Observers have raised concerns about disinformation spread on social media.",
        ),
        outlook=(
            "Official results are expected within days.",
            "International observers are due to publish their report next week.",
        ),
        stories=(
            Story(
                "Voters in {x} head to the polls in tight parliamentary race",
                "Polls opened across {x} in an election that surveys suggest could produce a "
                "hung parliament.",
                (
                    "Turnout by midday was higher than at the last election",
                    "A new centrist party has surged in the polls",
                ),
                "Electoral authorities said voting had been orderly, with only minor problems at "
                "some polling stations.",
                "Voters queue at a polling station in {x}",
                ("Portugal", "Sri Lanka", "Chile"),
            ),
            Story(
                "Opposition claims victory in {x} presidential run-off",
                "The opposition candidate declared victory in {x} after preliminary results "
                "showed a narrow lead, as the incumbent's camp called for patience.",
                (
                    "The margin is less than two percentage points",
                    "Observers said the vote was broadly free and fair",
                ),
                "Supporters gathered in the capital's main square to celebrate late into the "
                "night.",
                "Supporters celebrate in the capital of {x}",
                ("Ghana", "Ecuador", "Malawi"),
            ),
            Story(
                "Young voters could swing the election, poll suggests",
                "Voters under 30 are registering in record numbers, and could decide close "
                "races, according to a new survey.",
                (
                    "Housing costs top young voters' concerns",
                    "Many say they have not decided whom to support",
                ),
                "Campaigns have shifted advertising budgets to short-video platforms.",
                "Students at a voter registration event",
            ),
        ),
    ),
    Desk(
        topic="Migration",
        section="World",
        region=None,
        reporters=("Yusuf Demir", "Isabel Fontaine"),
        voices=(
            "a spokesperson for the UN refugee agency",
            "Marta Ruiz, who runs a shelter for new arrivals",
            "a migration researcher at a European university",
        ),
        quotes=(
            "People do not risk their lives at sea unless they feel they have no choice",
            "Integration works when people are allowed to work",
            "Deterrence policies change the routes, not the numbers",
        ),
        context=(
            "The number of people forcibly displaced worldwide has reached a record, according "
            "to the UN refugee agency.",
            "European governments have tightened asylum rules and struck deals with transit "
            "countries.",
            "Labour shortages have led some countries to open new legal routes for workers.",
        ),
        outlook=(
            "Ministers will discuss the plan at a summit next month.",
            "Aid groups say they will monitor how the rules are applied.",
        ),
        stories=(
            Story(
                "Rescue ship brings {x} migrants ashore after days at sea",
                "A charity rescue vessel docked with {x} people rescued in the central "
                "Mediterranean, after waiting days to be assigned a port.",
                (
                    "Several of those rescued needed medical care",
                    "Most had set off from the coast of Libya",
                ),
                "Aid groups say the assignment of distant ports keeps rescue ships away from the "
                "area where boats get into trouble.",
                "Rescued migrants disembark at the port",
                ("212", "87", "64"),
            ),
            Story(
                "{x} opens new visa route for care workers",
                "The government in {x} announced a new visa for care workers, as ageing "
                "populations drive demand for staff.",
                (
                    "Employers will have to pay a minimum salary",
                    "Applicants must pass a language test",
                ),
                "Care providers said vacancies had reached record levels this year.",
                "A care worker with an elderly resident",
                ("Germany", "Japan", "South Korea"),
            ),
            Story(
                "Families separated by conflict reunited through new programme",
                "A resettlement programme has reunited more than 3,000 refugees with relatives "
                "abroad in its first year.",
                (
                    "Most of those reunited are women and children",
                    "Waiting times have fallen from years to months",
                ),
                "The programme is funded by several governments and run with charities.",
                "A family is reunited at an airport arrivals hall",
            ),
        ),
    ),
    Desk(
        topic="Energy",
        section="Business",
        region=None,
        reporters=("Rajiv Mehta", "Lars Henriksen"),
        voices=(
            "an oil analyst at a commodities consultancy",
            "Ingrid Haugen, who runs a wind-farm developer",
            "a grid engineer",
        ),
        quotes=(
            "The market is well supplied, but one disruption could change that overnight",
            "Permits, not technology, are now the biggest obstacle",
            "Batteries have gone from novelty to necessity on the grid",
        ),
        context=(
            "Energy prices spiked after Russia's full-scale invasion of Ukraine before easing.",
            "Investment in renewables now exceeds spending on fossil-fuel supply.",
            "Oil-producing nations have cut output in an effort to support prices.",
        ),
        outlook=(
            "Analysts expect prices to remain volatile through the winter.",
            "The industry regulator said it would publish a review of the market next year.",
        ),
        stories=(
            Story(
                "Oil prices {x} after producers extend output cuts",
                "Oil prices {x} after leading producers agreed to extend supply cuts into next "
                "year.",
                (
                    "Brent crude is trading around $80 a barrel",
                    "Demand growth in China has slowed",
                ),
                "Analysts said the cuts were largely expected and their effect could be limited.",
                "An oil tanker at a loading terminal",
                ("rise", "edge lower", "hold steady"),
            ),
            Story(
                "Europe's largest offshore wind farm starts producing power",
                "The first turbines at a giant wind farm in the North Sea have begun supplying "
                "electricity, with full operation expected next year.",
                (
                    "At full capacity it will power more than a million homes",
                    "Rising costs have delayed other projects",
                ),
                "Developers have called for faster permits and better grid connections.",
                "Turbines at the offshore wind farm in the North Sea",
            ),
            Story(
                "Giant battery project approved in {x}",
                "Regulators approved one of the world's largest battery storage projects in "
                "{x}, designed to store solar power for the evening peak.",
                (
                    "The batteries can supply power for four hours",
                    "Storage helps avoid blackouts on hot evenings",
                ),
                "The project will be built on the site of a former coal plant.",
                "Battery storage units at a site in {x}",
                ("California", "South Australia", "Texas"),
            ),
            Story(
                "Households to see energy bills fall this winter",
                "The energy regulator said typical household bills would fall from January, "
                "reflecting lower wholesale gas prices.",
                (
                    "Bills remain well above levels of three years ago",
                    "Charities warn many families are still in arrears",
                ),
                "Consumer groups urged suppliers to pass on savings quickly.",
                "A gas meter in a family home",
            ),
        ),
    ),
    Desk(
        topic="Trade",
        section="Business",
        region=None,
        reporters=("Elena Sokolova", "Hannah Clarke"),
        voices=(
            "a trade lawyer in Geneva",
            "Mateo Silva, who runs a coffee export business",
            "an economist who studies supply chains",
        ),
        quotes=(
            "Tariffs are taxes, and someone always pays them in the end",
            "Small exporters feel rule changes first and hardest",
            "Companies are not leaving China; they are adding other countries",
        ),
        context=(
            "Governments have increasingly used tariffs and subsidies to protect strategic "
            "industries.",
            "The World Trade Organization's dispute system has been weakened since its appeals "
            "body stopped working.",
            "Companies have diversified supply chains after the disruptions of the pandemic.",
        ),
        outlook=(
            "Negotiators will meet again in the new year.",
            "Business groups said they would study the details closely.",
        ),
        stories=(
            Story(
                "{x} strike trade deal after a decade of talks",
                "{x} concluded a free-trade agreement that will cut tariffs on most goods, "
                "ending negotiations that began ten years ago.",
                (
                    "Farmers' groups have raised objections",
                    "The deal must be ratified by parliaments",
                ),
                "Officials said the deal included chapters on digital trade and labour rights.",
                "Trade ministers shake hands after signing the agreement",
                ("The EU and Indonesia", "India and Australia", "Canada and the Philippines"),
            ),
            Story(
                "Port congestion eases as shipping rates fall",
                "Container freight rates have dropped as congestion at major ports eases, "
                "offering relief to importers before the holiday season.",
                (
                    "Rates are still above pre-pandemic levels",
                    "New, larger ships are adding capacity",
                ),
                "Logistics companies said they were cautiously optimistic for next year.",
                "Cranes unload containers at a major port",
            ),
            Story(
                "Coffee prices hit record as harvests disappoint",
                "Prices for coffee beans reached record highs after poor harvests in major "
                "producing countries, pushing up the cost of a cup.",
                (
                    "Drought hit crops in Brazil and Vietnam",
                    "Roasters say higher prices will reach shoppers",
                ),
                "Farmers said they were struggling with higher costs for fertiliser and labour.",
                "A worker sorts coffee beans on a farm",
            ),
        ),
    ),
    Desk(
        topic="Cybersecurity",
        section="Technology",
        region=None,
        reporters=("Ethan Park", "Nora Lindqvist"),
        related=("Technology",),
        voices=(
            "a security researcher who investigated the attack",
            "a spokesperson for the national cyber security agency",
            "Oskar Nilsson, a consultant who advises companies on ransomware",
        ),
        quotes=(
            "Attackers only need to be lucky once; defenders have to be lucky every day",
            "Paying a ransom does not guarantee you get your data back",
            "The weakest link is still a password reused from another site",
        ),
        context=(
            "Ransomware attacks on hospitals, schools and councils have increased in recent years.",
            "Governments are pushing companies to report breaches faster.",
            "Security experts recommend multi-factor authentication and regular backups.",
        ),
        outlook=(
            "The investigation is continuing.",
            "Customers have been advised to change their passwords.",
        ),
        stories=(
            Story(
                "Ransomware attack disrupts {x}",
                "A ransomware attack has disrupted {x}, forcing staff to return to paper "
                "records while systems are restored.",
                (
                    "No ransom has been paid, officials said",
                    "It is not yet clear whether personal data was stolen",
                ),
                "The attack was detected early on Monday, and systems were taken offline as a "
                "precaution.",
                "A notice outside the building advises visitors of delays",
                (
                    "hospitals in the Midlands",
                    "a city council's services",
                    "a major port's cargo systems",
                ),
            ),
            Story(
                "Police take down network used to sell stolen passwords",
                "An international police operation has shut down an online marketplace where "
                "millions of stolen passwords were bought and sold.",
                (
                    "Police in eight countries took part",
                    "Several suspects were arrested",
                ),
                "Investigators said they had seized servers and would notify victims.",
                "Investigators examine seized computer equipment",
            ),
            Story(
                "Flaw in popular router software leaves millions exposed",
                "Security researchers found a flaw that could allow attackers to take control of "
                "home routers, urging users to update their devices.",
                (
                    "A fix has been released",
                    "Many devices do not update automatically",
                ),
                "The researchers reported the flaw privately months before making it public.",
                "A home internet router",
            ),
        ),
    ),
    Desk(
        topic="Film",
        section="Culture",
        region=None,
        reporters=("Chloé Martin", "Oliver Grant"),
        related=("Culture",),
        voices=("the director", "a film critic", "the film's lead actor"),
        quotes=(
            "We made it for almost nothing, with friends, over two summers",
            "It is the kind of film that stays with you on the way home",
            "Cinema is still where people want to share a story",
        ),
        context=(
            "Box-office takings have recovered but remain below pre-pandemic levels.",
            "Streaming services have cut back on spending after years of rapid growth.",
            "Film festivals have become key launch pads for awards campaigns.",
        ),
        outlook=(
            "Distributors are watching closely to see whether audiences follow.",
            "Awards nominations are announced in January.",
        ),
        stories=(
            Story(
                "Debut film wins top prize at {x} festival",
                "A first-time director's intimate family drama won the top prize at the {x} "
                "film festival, beating several established names.",
                (
                    "The cast is made up mostly of non-professional actors",
                    "Distribution rights sold within hours",
                ),
                "The jury praised the film's restraint and its performances.",
                "The director holds the award in {x}",
                ("Venice", "Berlin", "Locarno"),
            ),
            Story(
                "Animated epic tops global box office",
                "A big-budget animated adventure topped the global box office on its opening "
                "weekend, taking more than $200m worldwide.",
                (
                    "It performed strongly in Asia and Latin America",
                    "A sequel is already in development",
                ),
                "Cinema owners said the family audience was key to their recovery.",
                "Audiences queue for the film at a cinema",
            ),
            Story(
                "Restored silent classic returns to cinemas",
                "A newly restored print of a silent classic is touring cinemas with a live "
                "orchestra, a century after its premiere.",
                (
                    "The restoration took four years",
                    "Missing scenes were found in an archive abroad",
                ),
                "Archivists said the restoration used fragments from five different prints.",
                "A still from the restored film",
            ),
        ),
    ),
    Desk(
        topic="Books",
        section="Culture",
        region=None,
        reporters=("Oliver Grant", "Chloé Martin"),
        related=("Culture",),
        voices=("the author", "the chair of the judges", "a bookseller"),
        quotes=(
            "I wrote it in the early mornings before my shift at the hospital",
            "It is a novel about ordinary lives written with extraordinary care",
            "Readers keep surprising us; translated fiction has never sold better",
        ),
        context=(
            "Sales of print books have held up despite competition from audiobooks and e-readers.",
            "Translated fiction has grown in popularity over the past decade.",
            "Independent bookshops have reported growth after years of decline.",
        ),
        outlook=(
            "Publishers said they expected strong sales over the holiday season.",
            "Literary festivals have reported record attendance this year.",
        ),
        stories=(
            Story(
                "{x} wins major fiction prize",
                "{x} won one of the world's leading fiction prizes, praised by judges as "
                '"fierce, funny and unforgettable".',
                (
                    "The book had been rejected by ten publishers",
                    "Sales rose sharply after the shortlist was announced",
                ),
                "The prize includes a cash award and usually brings a big rise in sales.",
                "The author at the prize ceremony",
                (
                    "A debut novel about a family of fishermen",
                    "A story collection set in Lagos",
                    "A novel told through a grandmother's letters",
                ),
            ),
            Story(
                "Independent bookshops enjoy best year in a decade",
                "The number of independent bookshops has risen for the sixth year in a row, "
                "helped by events, reading groups and loyal customers.",
                (
                    "Many shops host author events and children's readings",
                    "High rents remain a challenge",
                ),
                "Booksellers said customers valued personal recommendations.",
                "Customers browse in an independent bookshop",
            ),
            Story(
                "Lost manuscript by {x} discovered in archive",
                "Researchers found an unpublished manuscript by {x} in a university archive, "
                "misfiled for decades.",
                (
                    "The manuscript runs to 200 handwritten pages",
                    "Publishers are already bidding for the rights",
                ),
                "Scholars said the find sheds new light on the writer's early career.",
                "Pages of the rediscovered manuscript",
                ("a celebrated poet", "a crime writer", "a Victorian novelist"),
            ),
        ),
    ),
    Desk(
        topic="Taiwan Strait",
        section="Asia",
        region="TW",
        reporters=("Zhou Meilin", "Kenta Mori"),
        voices=(
            "a Taiwanese defence official",
            "Wang Jun, a security researcher in Taipei",
            "a US State Department spokesperson",
        ),
        quotes=(
            "The pressure is constant, designed to wear us down rather than provoke a crisis",
            "Deterrence depends on making any attack look too costly to try",
            "Neither side wants war, but accidents are the real danger",
        ),
        context=(
            "Beijing claims Taiwan as its own territory and has not ruled out the use of force "
            "to take control of the island.",
            "Chinese military aircraft cross the median line of the Taiwan Strait regularly.",
            "The US is Taiwan's main supplier of weapons, though it does not formally "
            "recognise it.",
        ),
        outlook=(
            "Taiwan's defence ministry said it would continue to monitor the situation.",
            "Further exercises are expected later in the year.",
        ),
        stories=(
            Story(
                "Taiwan reports {x} Chinese military aircraft near island",
                "Taiwan's defence ministry said {x} Chinese military aircraft operated near the "
                "island in 24 hours, one of the highest daily counts this year.",
                (
                    "Some crossed the median line of the strait",
                    "Taiwan scrambled jets and activated missile systems",
                ),
                "Beijing did not immediately comment, but has previously described its "
                "activity as routine training.",
                "A Taiwanese fighter jet takes off from an air base",
                ("45", "32", "27"),
            ),
            Story(
                "Taiwan holds annual military drills to test defences",
                "Taiwan began its largest annual military exercises, testing how troops would "
                "respond to a blockade or an amphibious assault.",
                (
                    "Civil defence drills emptied city streets for 30 minutes",
                    "Reservists trained alongside regular forces",
                ),
                "The exercises now focus more on dispersal and resilience than set-piece battles.",
                "Soldiers take part in a drill on a beach",
            ),
            Story(
                "Chip makers expand overseas as tensions rise",
                "Taiwan's semiconductor companies are building factories abroad, spreading "
                "production amid concern about the risks of conflict.",
                (
                    "New plants are under construction in Japan, the US and Germany",
                    "The most advanced chips are still made in Taiwan",
                ),
                "Taiwan produces the vast majority of the world's most advanced chips.",
                "A worker in a semiconductor clean room",
            ),
        ),
    ),
    Desk(
        topic="India",
        section="Asia",
        region="IN",
        reporters=("Ananya Iyer", "Rajiv Mehta"),
        voices=(
            "Meera Pillai, an economist in Mumbai",
            "a senior government official",
            "a farmer from the state of Punjab",
        ),
        quotes=(
            "Growth is strong, but it needs to create far more jobs",
            "Infrastructure is changing faster than anyone imagined a decade ago",
            "The monsoon still decides whether millions of families have a good year",
        ),
        context=(
            "India is the world's most populous country and one of its fastest-growing major "
            "economies.",
            "The government has invested heavily in roads, railways and airports.",
            "Agriculture employs around 40% of India's workforce.",
        ),
        outlook=(
            "The next set of growth figures is due at the end of the quarter.",
            "The government said it would set out further plans in its next budget.",
        ),
        stories=(
            Story(
                "Monsoon rains bring relief to {x} farmers",
                "Heavy monsoon rains ended weeks of dry weather in {x}, lifting hopes for the "
                "rice and cotton harvests.",
                (
                    "Reservoir levels rose sharply in a week",
                    "Some districts reported flooding",
                ),
                "The weather office said rainfall for the season was now close to normal.",
                "Farmers plant rice seedlings in a flooded field in {x}",
                ("Maharashtra", "Bihar", "Kerala"),
            ),
            Story(
                "India's economy grows faster than expected",
                "India's economy grew faster than forecast in the last quarter, driven by "
                "government spending on infrastructure and strong services exports.",
                (
                    "Manufacturing output rose strongly",
                    "Rural consumption remains weak",
                ),
                "Economists said growth was likely to remain among the fastest of large economies.",
                "Construction of a metro line in Mumbai",
            ),
            Story(
                "High-speed rail line passes key test in {x}",
                "A trial run on a section of India's first high-speed rail line was completed "
                "in {x}, officials said.",
                (
                    "Trains will reach speeds of up to 320km/h",
                    "The project has faced land acquisition delays",
                ),
                "The line is being built with Japanese technology and financing.",
                "A high-speed train on a test run in {x}",
                ("Gujarat", "Maharashtra"),
            ),
        ),
    ),
    Desk(
        topic="Africa",
        section="Africa",
        region=None,
        reporters=("Grace Mwangi", "Kwame Mensah", "Thandiwe Nkosi"),
        voices=(
            "an economist at a Nairobi research institute",
            "Fatou Diop, who runs a solar business",
            "a regional official",
        ),
        quotes=(
            "Debt payments are crowding out spending on schools and clinics",
            "Young people here are not waiting for permission to build things",
            "Regional trade is the growth story nobody talks about",
        ),
        context=(
            "Africa has the world's youngest population, with a median age under 20.",
            "Many countries face high debt repayments after borrowing costs rose.",
            "The African Continental Free Trade Area aims to create a single market across "
            "the continent.",
        ),
        outlook=(
            "Investors said they were watching the region closely.",
            "Regional leaders are due to discuss economic co-operation at their next summit.",
        ),
        stories=(
            Story(
                "Mobile money start-ups in {x} attract record investment",
                "Fintech companies in {x} raised record sums this year as mobile payments "
                "spread to small businesses and farmers.",
                (
                    "Most adults now have a mobile money account",
                    "Regulators are drafting new consumer protection rules",
                ),
                "Investors said the growth of digital payments was opening new markets for "
                "credit and insurance.",
                "A trader uses a mobile phone to accept a payment in {x}",
                ("Kenya", "Nigeria", "Ghana"),
            ),
            Story(
                "Solar mini-grids bring power to villages in {x}",
                "Thousands of households in {x} have been connected to electricity for the "
                "first time through solar mini-grids.",
                (
                    "Businesses can now stay open after dark",
                    "Clinics can store vaccines in fridges",
                ),
                "Around 600 million people in sub-Saharan Africa lack access to electricity.",
                "Solar panels on a mini-grid in a village in {x}",
                ("Sierra Leone", "Zambia", "Madagascar"),
            ),
            Story(
                "Great Green Wall project gathers pace",
                "The initiative to restore land across the Sahel has planted millions of trees "
                "this year, though it remains far from its targets.",
                (
                    "The project aims to restore 100 million hectares",
                    "Local communities manage many of the sites",
                ),
                "Funding has increased, but conflict has slowed work in some areas.",
                "Women tend tree seedlings in a nursery in the Sahel",
            ),
        ),
    ),
    Desk(
        topic="Latin America",
        section="Americas",
        region=None,
        reporters=("Ana Beatriz Costa", "Diego Ramírez"),
        voices=(
            "a political analyst in São Paulo",
            "Valentina Rojas, a mining economist",
            "a local community leader",
        ),
        quotes=(
            "Inflation has eaten into everything people earn",
            "Lithium could transform the economy if the benefits stay here",
            "The Amazon is not a problem to be solved; it is a place people live",
        ),
        context=(
            "The region holds some of the world's largest reserves of lithium and copper, "
            "metals essential for batteries and electric grids.",
            "Deforestation in the Brazilian Amazon has fallen from recent highs.",
            "Several countries are struggling with high inflation and currency weakness.",
        ),
        outlook=(
            "Analysts said the political outlook remained uncertain.",
            "Officials will publish updated figures early next year.",
        ),
        stories=(
            Story(
                "Amazon deforestation falls to lowest level in {x}",
                "Deforestation in the Brazilian Amazon fell to its lowest level in {x}, "
                "according to satellite data.",
                (
                    "Enforcement against illegal logging has increased",
                    "Fires remain a threat in the dry season",
                ),
                "Environmental groups welcomed the figures but warned that gains could be "
                "reversed.",
                "An aerial view of the rainforest canopy",
                ("nine years", "over a decade", "six years"),
            ),
            Story(
                "{x} bets on lithium to power growth",
                "The government in {x} announced plans to expand lithium production, hoping to "
                "capture more value from the battery boom.",
                (
                    "Foreign companies will need local partners",
                    "Indigenous communities want a say over water use",
                ),
                "Lithium is extracted from brine in salt flats high in the Andes.",
                "Evaporation pools at a lithium mine in {x}",
                ("Chile", "Argentina", "Bolivia"),
            ),
            Story(
                "Mexico City water reservoirs recover after rains",
                "Reservoirs supplying Mexico City have recovered after heavy rains, easing fears "
                "of severe water shortages.",
                (
                    "Some neighbourhoods had relied on water trucks",
                    "Experts say leaks waste a large share of the supply",
                ),
                "Officials said investment in pipes and treatment remained a priority.",
                "A reservoir that supplies Mexico City",
            ),
        ),
    ),
    Desk(
        topic="Oceans",
        section="Science",
        region=None,
        reporters=("Nora Lindqvist", "Amara Okafor"),
        related=("Environment",),
        voices=(
            "a marine biologist",
            "Dr Kai Tanaka, an oceanographer",
            "a fisheries official",
        ),
        quotes=(
            "We know more about the surface of Mars than the floor of our own oceans",
            "Protected areas work when they are enforced",
            "Warmer seas are changing where fish live, and fishermen are following them",
        ),
        context=(
            "The high seas treaty, agreed in 2023, aims to protect marine life in international "
            "waters.",
            "Ocean temperatures have reached record highs in recent years.",
            "Overfishing remains a threat to many fish stocks.",
        ),
        outlook=(
            "Scientists said more monitoring was needed.",
            "The findings will be presented to governments later this year.",
        ),
        stories=(
            Story(
                "Deep-sea expedition finds dozens of new species off {x}",
                "Scientists exploring the deep sea off {x} say they have found dozens of "
                "species that may be new to science.",
                (
                    "The finds include corals, sponges and a translucent squid",
                    "Confirming new species can take years",
                ),
                "The expedition used a remotely operated vehicle to reach depths of more than "
                "4,000m.",
                "A translucent creature photographed in the deep sea off {x}",
                ("Chile", "New Zealand", "Costa Rica"),
            ),
            Story(
                "Whale numbers recover in the South Atlantic",
                "Humpback whale populations in the South Atlantic have recovered to near "
                "pre-whaling levels, a survey suggests.",
                (
                    "The population was almost wiped out in the last century",
                    "Shipping strikes remain a risk",
                ),
                "Researchers said the recovery showed the value of the whaling ban.",
                "A humpback whale breaches off the coast of Brazil",
            ),
            Story(
                "New marine reserve protects {x}",
                "A new protected area will ban industrial fishing across a large stretch of "
                "ocean around {x}.",
                (
                    "Local fishing communities will keep traditional rights",
                    "Patrols will use satellite monitoring",
                ),
                "Conservation groups welcomed the move but said enforcement would be key.",
                "Fish swim over a reef near {x}",
                ("the Galápagos Islands", "a remote Pacific atoll", "the Azores"),
            ),
        ),
    ),
    Desk(
        topic="UK politics",
        section="UK",
        region="GB",
        reporters=("Charlotte Hughes", "Marcus Bell"),
        voices=(
            "a senior government source",
            "Eleanor Shaw, a political scientist",
            "an opposition frontbencher",
        ),
        quotes=(
            "The public finances leave very little room for manoeuvre",
            "Voters want to see the difference in their high streets and hospitals",
            "Party discipline is harder to keep when the polls turn",
        ),
        context=(
            "The government has promised to improve growth while keeping borrowing under control.",
            "Waiting lists in the NHS remain close to record levels.",
            "Local councils have warned of financial pressures on social care.",
        ),
        outlook=(
            "Downing Street said the government remained focused on its priorities.",
            "The chancellor will set out further details in the spring.",
        ),
        stories=(
            Story(
                "Government unveils plan to build {x}",
                "Ministers announced plans for {x}, promising to speed up planning decisions "
                "and invest in infrastructure.",
                (
                    "Councils will get new powers to buy land",
                    "Critics say the targets are unrealistic",
                ),
                "Housebuilders welcomed the plans but warned of shortages of skilled workers.",
                "Houses under construction on a new estate",
                ("1.5 million homes", "new towns in England", "200,000 social homes"),
            ),
            Story(
                "By-election result puts pressure on party leaders",
                "A by-election defeat in a seat held for decades has raised questions about the "
                "party's strategy before the next general election.",
                (
                    "Turnout was just over 40%",
                    "Smaller parties increased their share of the vote",
                ),
                "Party officials said local issues had played a significant role.",
                "Counting under way at a leisure centre",
            ),
            Story(
                "Budget watchdog warns over public finances",
                "The independent budget watchdog said the government had little headroom "
                "against its fiscal rules.",
                (
                    "Debt interest costs remain high",
                    "Growth forecasts were revised down",
                ),
                "Economists said tax rises or spending cuts may be needed later in the parliament.",
                "The Treasury building in Westminster",
            ),
        ),
    ),
    Desk(
        topic="Japan",
        section="Asia",
        region="JP",
        reporters=("Kenta Mori", "Hiroko Sato"),
        voices=(
            "a Bank of Japan watcher at a Tokyo brokerage",
            "Yuki Nakamura, who runs a family inn",
            "a local government official",
        ),
        quotes=(
            "After decades of deflation, people are not used to prices going up",
            "The visitors are welcome, but the town was not built for this many",
            "The ageing population shapes every policy decision here",
        ),
        context=(
            "Japan's population has been shrinking for more than a decade.",
            "The yen has weakened against the dollar, boosting tourism and exporters' profits.",
            "The Bank of Japan ended negative interest rates in 2024.",
        ),
        outlook=(
            "The central bank's next policy meeting is next month.",
            "Economists expect the trend to continue into next year.",
        ),
        stories=(
            Story(
                "Tourist numbers to Japan hit record as yen stays weak",
                "Japan welcomed a record number of foreign visitors this year, helped by a weak "
                "yen, prompting some towns to introduce tourist fees.",
                (
                    "Visitors from South Korea and China make up the largest groups",
                    "Some sites have introduced entry limits",
                ),
                "The government wants to spread visitors beyond the busiest cities.",
                "Tourists crowd a street in Kyoto",
            ),
            Story(
                "{x} introduces fee to manage crowds",
                "Authorities in {x} introduced a fee for visitors, saying crowds were damaging "
                "the environment and daily life.",
                (
                    "The money will fund conservation and rubbish collection",
                    "Residents are exempt",
                ),
                "Officials said they would monitor whether the fee reduced congestion.",
                "Visitors queue at {x}",
                (
                    "Mount Fuji's climbing trails",
                    "a historic hot-spring town",
                    "the island of Miyajima",
                ),
            ),
            Story(
                "Japanese wages rise at fastest pace in decades",
                "Wages in Japan rose at their fastest pace in more than 30 years, as companies "
                "compete for scarce workers.",
                (
                    "Large companies agreed big pay rises in spring talks",
                    "Real wages are still squeezed by inflation",
                ),
                "The figures are closely watched by the central bank as it considers raising "
                "rates.",
                "Commuters at a Tokyo station",
            ),
        ),
    ),
    Desk(
        topic="Archaeology",
        section="Science",
        region=None,
        reporters=("Hiroko Sato", "Ingrid Solberg"),
        related=("Science",),
        voices=("the excavation's lead archaeologist", "a museum curator", "a local historian"),
        quotes=(
            "Every layer of soil is a page of a book nobody has read",
            "The objects are beautiful, but the rubbish heaps tell us more about daily life",
            "We are only beginning to understand how connected these societies were",
        ),
        context=(
            "New techniques such as ancient DNA analysis and laser scanning from aircraft have "
            "transformed archaeology in the past two decades.",
            "Many finds are made during construction work, when developers must allow "
            "excavation before building.",
            "Looting and the illegal antiquities trade remain a threat to many sites.",
        ),
        outlook=(
            "Excavations will resume next summer.",
            "The finds will go on display at a regional museum next year.",
        ),
        stories=(
            Story(
                "Roman villa with intact mosaics found under {x}",
                "Archaeologists uncovered a Roman villa with well-preserved mosaic floors "
                "beneath {x}, during routine checks before construction.",
                (
                    "The mosaics show hunting scenes and sea creatures",
                    "The villa was probably built in the third century",
                ),
                "Experts said the quality of the mosaics suggested a wealthy owner with links "
                "to the provincial elite.",
                "A mosaic floor uncovered beneath {x}",
                ("a car park in Rutland", "a vineyard near Verona", "a school playing field"),
            ),
            Story(
                "Laser survey reveals lost cities in the {x}",
                "Airborne laser scans have revealed thousands of structures hidden beneath the "
                "forest in the {x}, including plazas, causeways and reservoirs.",
                (
                    "The settlements were home to tens of thousands of people",
                    "Some sites had never been recorded",
                ),
                "The technology allows researchers to map large areas without clearing trees.",
                "A digital map of structures hidden beneath the forest",
                ("Amazon basin", "Yucatán peninsula"),
            ),
            Story(
                "Shipwreck off Sicily yields cargo of ancient amphorae",
                "Divers recovered dozens of amphorae from a shipwreck off Sicily, thought to have "
                "sunk more than 2,000 years ago while carrying wine.",
                (
                    "The wreck lies at a depth of 90 metres",
                    "Residues inside the jars will be analysed",
                ),
                "The site was first spotted by a fisherman whose nets snagged on the cargo.",
                "A diver examines amphorae on the seabed",
            ),
        ),
    ),
    Desk(
        topic="Music",
        section="Culture",
        region=None,
        reporters=("Chloé Martin", "Jamie Doyle"),
        related=("Culture",),
        voices=("the band's singer", "a music critic", "the festival's organiser"),
        quotes=(
            "We wrote most of the album in a kitchen with the door open",
            "Live music is the one part of the business that keeps growing",
            "Small venues are where every big band started, and they are closing",
        ),
        context=(
            "Streaming now accounts for the majority of recorded-music revenue worldwide.",
            "Ticket prices for major tours have risen sharply in recent years.",
            "Hundreds of small music venues have closed over the past decade.",
        ),
        outlook=(
            "Industry figures say demand for live music shows no sign of slowing.",
            "Organisers said more details would be announced in the new year.",
        ),
        stories=(
            Story(
                "{x} festival sells out in record time",
                "Tickets for the {x} festival sold out within an hour, despite no line-up "
                "being announced.",
                (
                    "Resale tickets appeared online at several times face value",
                    "Organisers promised to act against touts",
                ),
                "The organisers said they would release a small number of extra tickets for "
                "local residents.",
                "Crowds at last year's {x} festival",
                ("Glastonbury", "Roskilde", "Primavera"),
            ),
            Story(
                "Grassroots venues get lifeline from ticket levy",
                "Big arena concerts will add a small levy to each ticket to fund struggling "
                "small venues, under a voluntary scheme backed by artists.",
                (
                    "Several major artists have signed up",
                    "Venues say energy bills and rents are the biggest pressure",
                ),
                "Campaigners said the scheme was a start but called for it to be made compulsory.",
                "A band plays to a packed room in a small venue",
            ),
            Story(
                "Orchestra's tour of {x} draws young audiences",
                "A symphony orchestra's tour of {x} has attracted unusually young crowds, after "
                "clips of its rehearsals spread online.",
                (
                    "Half of tickets were bought by people under 35",
                    "The programme mixes film scores and classical works",
                ),
                "The orchestra said it would stream several concerts free of charge.",
                "Musicians rehearse before a concert in {x}",
                ("Latin America", "East Asia"),
            ),
        ),
    ),
    Desk(
        topic="Wildlife",
        section="Science",
        region=None,
        reporters=("Thandiwe Nkosi", "Nora Lindqvist"),
        related=("Environment",),
        voices=("a conservation biologist", "a park ranger", "a spokesperson for the reserve"),
        quotes=(
            "Recovery is possible when habitat is protected and people benefit from it",
            "Poaching has fallen, but the pressure on land keeps growing",
            "Every animal we fit with a tracker teaches us something new",
        ),
        context=(
            "Wildlife populations have declined sharply since 1970, according to conservation "
            "groups' indices.",
            "Habitat loss is the biggest driver of species decline.",
            "Community-run conservancies have helped some species recover.",
        ),
        outlook=(
            "A full survey is planned for next year.",
            "Researchers will publish their findings next spring.",
        ),
        stories=(
            Story(
                "{x} numbers rise for the first time in decades",
                "A new census shows {x} numbers rising for the first time in decades, thanks to "
                "anti-poaching patrols and habitat protection.",
                (
                    "The count used drones and camera traps",
                    "Conflict with farmers remains a challenge",
                ),
                "Conservationists credited local communities, who share income from tourism.",
                "A photograph from the census of {x}",
                ("Snow leopard", "Mountain gorilla", "Tiger"),
            ),
            Story(
                "Beavers return to {x} after 400 years",
                "Beavers have been released into the wild in {x} for the first time in four "
                "centuries, in a project to restore wetlands and reduce flooding.",
                (
                    "Farmers were consulted before the release",
                    "The dams help slow floodwater",
                ),
                "Beavers were hunted to extinction for their fur and scent glands.",
                "A beaver is released into a river in {x}",
                ("the Cotswolds", "northern Portugal"),
            ),
        ),
    ),
)


@dataclass(frozen=True)
class Feature:
    """A story written out in full, rather than from a desk's templates."""

    headline: str
    standfirst: str
    summary: tuple[str, ...]
    body: tuple[str, ...]
    section: str
    topics: tuple[str, ...]
    authors: tuple[str, ...]
    credits: tuple[str, ...]
    image_caption: str
    image_credit: str
    video_title: str
    region: str
    comment_count: int


# The article the product owner asked for by name: it is always the demo's first.
SOLIDARITY = Feature(
    headline=(
        "Russia and China show solidarity as Chinese defence minister Li Shangfu heads to Moscow"
    ),
    standfirst=(
        "President Vladimir Putin gives the visiting Chinese defence minister a high-profile "
        "welcome, underlining how close the two countries have become."
    ),
    summary=(
        "Vladimir Putin gives a high-profile welcome to the Chinese defence minister, an honour "
        "usually reserved for heads of government",
        "Bonds between the two nations appear unaffected by the war in Ukraine, as both sides "
        "speak of deepening military co-operation",
    ),
    body=(
        "China's defence minister Li Shangfu arrived in Moscow for talks with Russia's military "
        "leadership and a meeting with President Vladimir Putin, a visit both governments "
        "presented as proof of a partnership that Western pressure has not weakened.",
        "It is unusual for the Russian president to receive a defence minister in person. The "
        "Kremlin's decision to do so, and to stage the meeting before television cameras, was "
        "read by analysts as a deliberate signal to Washington and its allies.",
        "Putin said military co-operation between the two countries was strengthening their "
        "strategic partnership, while Li described relations as having entered a new era. "
        "Neither side mentioned the war in Ukraine in its public remarks.",
        "Beijing insists it is neutral in the conflict and has proposed its own peace plan, but "
        "it has refused to condemn Moscow and has become Russia's most important trading "
        "partner since Western sanctions were imposed.",
        "Li, a former aerospace engineer who once ran China's satellite launch centre, has been "
        "under US sanctions since 2018 over the purchase of Russian fighter jets and missile "
        "systems.",
        '"The message is that nothing about the war has changed the fundamentals of this '
        'relationship," said Tatiana Belova, who studies Russian foreign policy. "If '
        'anything, it has made the two sides more dependent on each other."',
        "The visit follows a state visit to Moscow by China's leader earlier in the year, during "
        "which the two countries signed agreements on trade, energy and technology.",
    ),
    section="China",
    topics=("China-Russia relations", "Diplomacy"),
    authors=("Zhou Meilin", "Pavel Orlov"),
    credits=("Associated Press",),
    image_caption=(
        "Russian President Vladimir Putin shakes hands with Chinese Defence Minister Li Shangfu "
        "during their meeting at the Kremlin in Moscow"
    ),
    image_credit="Associated Press",
    video_title="Putin welcomes China's defence minister to the Kremlin",
    region="RU",
    comment_count=1284,
)
